"""Demo terminal states consistent with the demo registrations; the history trim; the poll token."""

import datetime
import random
from collections import Counter

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from monitoring import demo
from monitoring.models import TerminalState, TerminalStateEvent
from monitoring.poll import poll_token
from monitoring.rules import contact_host, device_url
from monitoring.selectors import state_counts, user_rows
from monitoring.services import terminal_history_trim
from monitoring.tasks import trim_terminal_history
from registrations import demo as registrations_demo
from registrations.models import Account, RegistrationBinding
from tests.monitoring.factories import TerminalStateEventFactory

pytestmark = pytest.mark.django_db


# Seeded at night (desk phones only) and in working hours (softphones at home too): the seed's
# times come from `now`, never from the wall clock, so both are tested whatever the hour.
@pytest.mark.parametrize("hour", [3, 11])
def test_demo_states_mix_every_state_and_terminal_and_follow_the_bindings(hour):
    now = datetime.datetime(2026, 6, 10, hour, 30, tzinfo=datetime.UTC)
    registrations_demo.seed(rng=random.Random(1), scale=1, now=now)
    summary = demo.seed(rng=random.Random(2), scale=1, now=now)
    assert summary.startswith(f"{TerminalState.objects.count()} terminal states")
    rows = user_rows(Account.objects.all(), now=now)
    states = Counter(row.state for row in rows)
    assert set(states) == {"RED", "ORANGE", "GREEN", "GREY"}, states
    assert state_counts(now=now) == {state: states[state] for state in ("RED", "ORANGE", "GREEN", "GREY")}
    kinds = {terminal.kind for row in rows for terminal in row.terminals if terminal.source == "push"}
    assert kinds == {"sip", "dect", "usb", "mobile", "gui"}
    assert any(len([t for t in row.terminals if t.source == "push"]) >= 3 for row in rows)
    # every account with a live binding has its SIP phone pushed at its newest live binding's address
    newest = {}
    for binding in RegistrationBinding.objects.filter(removed_at__isnull=True, expires_at__gt=now).order_by(
        "registered_at", "id"
    ):
        newest[binding.account_id] = binding
    sip = {state.account_id: state for state in TerminalState.objects.filter(kind="sip", terminal=1)}
    assert newest
    assert set(newest) <= set(sip)
    for account_id, binding in newest.items():
        host = contact_host(binding.contact)
        assert sip[account_id].address == (host if device_url(host) else binding.remote_ip)
    # on (GREEN, RED, ORANGE) exactly when a binding is live: "online" and "not registered" add up
    assert {row.account_id for row in rows if row.state != "GREY"} == set(newest)
    assert states["GREY"] == Account.objects.count() - len(newest)
    # the current state is the newest push of its terminal
    state = TerminalState.objects.order_by("id").first()
    latest = TerminalStateEvent.objects.filter(account=state.account, terminal=state.terminal).latest("timestamp")
    assert (latest.event_id, latest.calls_active) == (state.event_id, state.calls_active)
    assert demo.seed(rng=random.Random(2), scale=1, now=now) == "terminal states already present"


def test_the_trim_keeps_the_configured_days(settings):
    settings.MONITORING_HISTORY_DAYS = 3
    now = timezone.now()
    kept = TerminalStateEventFactory(timestamp=now - datetime.timedelta(days=2, hours=23))
    TerminalStateEventFactory(timestamp=now - datetime.timedelta(days=3, minutes=1))
    TerminalStateEventFactory(timestamp=now - datetime.timedelta(days=30))
    assert trim_terminal_history() == 2
    assert list(TerminalStateEvent.objects.all()) == [kept]
    assert terminal_history_trim(now=now) == 0


def test_the_poll_token_waits_for_a_transaction_still_open_elsewhere(settings):
    settings.MONITORING_POLL_MARGIN = 2
    settings.MONITORING_POLL_LOOKBACK = 60
    clock = timezone.now()
    assert clock - datetime.timedelta(seconds=3) < poll_token() <= clock - datetime.timedelta(seconds=1)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as other:
        other.execute("SELECT 1")  # a transaction is open: an ingest batch still writing
        opened = other.execute("SELECT xact_start FROM pg_stat_activity WHERE pid = pg_backend_pid()").fetchone()[0]
        other.execute("SELECT pg_sleep(0.3)")
        token = poll_token()
        assert token <= opened - datetime.timedelta(seconds=2)
        settings.MONITORING_POLL_LOOKBACK = 1  # ... but never further back than the lookback
        assert poll_token() >= timezone.now() - datetime.timedelta(seconds=1.5)
        other.rollback()
