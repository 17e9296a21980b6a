"""One reconciliation run bound by several workers (RECONCILE_WORKERS), each its own connection to
the real PostgreSQL: the same results as one worker, every event bound once, the NAT case kept
ambiguous, and a worker's failure stops the run."""

import datetime
import itertools
import threading

import pytest
from django.db import connection, transaction

from sip_sessions import reconcile as reconciliation
from sip_sessions.models import PENDING, SipEvent
from sip_sessions.reconcile import can_fan_out, reconcile
from tests.registrations.factories import T0, AccountFactory, BindingFactory

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = 1200
DAY = datetime.timedelta(days=1)
NAT = "203.0.113.20"  # two accounts behind one address from event 600 on
SCANNER = "198.51.100.7"  # no binding ever: stays pending


def _events() -> None:
    addresses = ("203.0.113.10", NAT, SCANNER)
    SipEvent.objects.bulk_create(
        SipEvent(
            event_id=f"w-{n}",
            time=T0 + datetime.timedelta(seconds=n),
            event="CONNECT" if n % 2 else "DISCONNECT",
            remote_ip=addresses[n % 3],
            remote_port=5060,
            transport="UDP",
        )
        for n in range(EVENTS)
    )


def _bindings() -> None:
    BindingFactory(account=AccountFactory(username="5001"), expires_at=T0 + DAY)
    BindingFactory(account=AccountFactory(username="5002"), remote_ip=NAT, expires_at=T0 + DAY)
    BindingFactory(  # the adapter's second line, from event 600 on: ambiguous there, never guessed
        account=AccountFactory(username="5003"),
        remote_ip=NAT,
        registered_at=T0 + datetime.timedelta(seconds=600),
        expires_at=T0 + DAY,
    )


def _outcome() -> dict[str, tuple]:
    return {
        event_id: (reconciled, ambiguous, username, account)
        for event_id, reconciled, ambiguous, username, account in SipEvent.objects.values_list(
            "event_id", "reconciled", "ambiguous", "username", "account__username"
        )
    }


def _reopen() -> None:
    SipEvent.objects.update(reconciled=False, ambiguous=False, username="", account=None, reconciled_at=None)


def _both_workers_take_a_range(monkeypatch) -> list[tuple[str, int, int]]:
    """Record which thread bound which id range; the first batch of each of two workers waits for
    the other's, so both surely work (not one taking every range before the other starts)."""
    taken: list[tuple[str, int, int]] = []
    both = threading.Barrier(2, timeout=30)
    first_batch = threading.local()
    real_bind = reconciliation._bind

    def bind(candidates_sql: str, params: list) -> reconciliation.Tally:
        if not getattr(first_batch, "done", False):
            first_batch.done = True
            both.wait()
        taken.append((threading.current_thread().name, *params))
        return real_bind(candidates_sql, params)

    monkeypatch.setattr(reconciliation, "_bind", bind)
    return taken


def test_two_workers_bind_exactly_what_one_worker_binds(monkeypatch):
    _bindings()
    _events()
    alone = reconcile(mode="full", batch_size=50, workers=1)
    expected = _outcome()
    _reopen()
    taken = _both_workers_take_a_range(monkeypatch)

    shared = reconcile(mode="full", batch_size=50, workers=2)

    assert _outcome() == expected
    assert (shared.examined, shared.bound, shared.ambiguous) == (alone.examined, alone.bound, alone.ambiguous)
    assert (shared.examined, shared.bound, shared.ambiguous) == (EVENTS, 600, 200)
    # the work was shared, in consecutive id ranges no two batches have in common
    assert {thread for thread, _after, _last in taken} == {"reconcile_0", "reconcile_1"}
    ranges = sorted((after, last) for _thread, after, last in taken)
    assert ranges[0][0] == 0 and all(after < last for after, last in ranges)
    assert all(last == next_after for (_a, last), (next_after, _l) in itertools.pairwise(ranges))
    assert len(ranges) == EVENTS // 50  # the ranges of the pending events, each taken once


def test_each_event_is_bound_once_and_the_nat_address_stays_ambiguous():
    _bindings()
    _events()

    run = reconcile(mode="full", batch_size=40, workers=3)

    nat = SipEvent.objects.filter(remote_ip=NAT)
    assert set(nat.filter(time__lt=T0 + datetime.timedelta(seconds=600)).values_list("username", flat=True)) == {"5002"}
    late = nat.filter(time__gte=T0 + datetime.timedelta(seconds=600))
    assert late.count() == 200
    assert late.filter(ambiguous=True, reconciled=False, username="", account=None).count() == 200
    assert set(SipEvent.objects.filter(remote_ip="203.0.113.10").values_list("username", flat=True)) == {"5001"}
    assert SipEvent.objects.filter(PENDING).count() == 400 == SipEvent.objects.filter(remote_ip=SCANNER).count()
    # the run's counts are the rows it changed: no event counted (bound) by two workers
    assert run.bound == SipEvent.objects.filter(reconciled=True).count() == 600
    assert run.ambiguous == 200


def test_a_run_of_one_range_binds_in_the_callers_connection(monkeypatch):
    """A beat run's few new events: no worker thread, no connection opened for them."""
    _bindings()
    _events()
    taken = []
    real_bind = reconciliation._bind

    def bind(candidates_sql: str, params: list) -> reconciliation.Tally:
        taken.append(threading.current_thread().name)
        return real_bind(candidates_sql, params)

    monkeypatch.setattr(reconciliation, "_bind", bind)

    run = reconcile(mode="full", batch_size=2000, workers=2)

    assert (run.bound, run.ambiguous) == (600, 200)
    assert taken == ["MainThread"]


def test_a_run_inside_a_transaction_binds_in_its_own_connection():
    """Other connections would not see the transaction's rows: one worker, the caller's."""
    with transaction.atomic():
        _bindings()
        _events()
        assert not can_fan_out()
        run = reconcile(mode="full", batch_size=50, workers=4)
        assert (run.bound, run.ambiguous) == (600, 200)
    assert SipEvent.objects.filter(reconciled=True).count() == 600
    assert can_fan_out() is (connection.vendor == "postgresql")


def test_a_failing_worker_fails_the_run_and_stops_the_others(monkeypatch):
    _bindings()
    _events()
    real_bind = reconciliation._bind
    calls = []

    def bind(candidates_sql: str, params: list) -> reconciliation.Tally:
        calls.append(params)
        if len(calls) == 3:
            raise RuntimeError("connection lost")
        return real_bind(candidates_sql, params)

    monkeypatch.setattr(reconciliation, "_bind", bind)

    with pytest.raises(RuntimeError, match="connection lost"):
        reconcile(mode="full", batch_size=50, workers=2)

    run = reconciliation.ReconciliationRun.objects.get()
    assert run.error == "RuntimeError: connection lost"
    # the other worker finished the batch it had and took no further range
    assert len(calls) <= 4 < EVENTS // 50
