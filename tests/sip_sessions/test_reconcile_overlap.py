"""Two reconciliation runs at once, on two real connections: they share the work, bind each event once."""

import datetime
import threading

import pytest
from django.db import connection

from sip_sessions.models import SipEvent
from sip_sessions.reconcile import reconcile
from tests.registrations.factories import T0, AccountFactory, BindingFactory

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = 3000


def _events(count: int) -> None:
    SipEvent.objects.bulk_create(
        SipEvent(
            event_id=f"ov-{n}",
            time=T0 + datetime.timedelta(seconds=n),
            event="CONNECT" if n % 2 else "DISCONNECT",
            remote_ip="203.0.113.10" if n % 3 else "203.0.113.20",
            remote_port=5060,
            transport="UDP",
        )
        for n in range(count)
    )


def test_overlapping_runs_bind_every_event_exactly_once():
    BindingFactory(account=AccountFactory(username="4001"), expires_at=T0 + datetime.timedelta(days=1))
    BindingFactory(
        account=AccountFactory(username="4002"),
        remote_ip="203.0.113.20",
        expires_at=T0 + datetime.timedelta(days=1),
    )
    BindingFactory(  # a second account at .20 for the last third of the events: ambiguous there
        account=AccountFactory(username="4003"),
        remote_ip="203.0.113.20",
        registered_at=T0 + datetime.timedelta(seconds=2000),
        expires_at=T0 + datetime.timedelta(days=1),
    )
    _events(EVENTS)
    start = threading.Barrier(2)
    runs, errors = [], []

    def worker() -> None:
        try:
            start.wait()
            runs.append(reconcile(mode="full", batch_size=50))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert len(runs) == 2
    bound = SipEvent.objects.filter(reconciled=True).count()
    ambiguous = SipEvent.objects.filter(ambiguous=True).count()
    assert bound + ambiguous == EVENTS
    # each event was bound or marked by one run only: the two runs' counts add up exactly
    assert sum(run.bound for run in runs) == bound
    assert sum(run.ambiguous for run in runs) == ambiguous
    assert ambiguous == len([n for n in range(2000, EVENTS) if n % 3 == 0])
    # and both did part of the work (they overlapped rather than ran one after the other)
    assert all(run.bound + run.ambiguous > 0 for run in runs)
