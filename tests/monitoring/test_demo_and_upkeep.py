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
from monitoring.selectors import state_counts, user_rows
from monitoring.services import terminal_history_trim
from monitoring.tasks import trim_terminal_history
from registrations import demo as registrations_demo
from registrations.models import Account, RegistrationBinding
from tests.monitoring.factories import TerminalStateEventFactory

pytestmark = pytest.mark.django_db


def test_demo_states_mix_every_state_and_terminal_and_follow_the_bindings():
    registrations_demo.seed(rng=random.Random(1), scale=1)
    summary = demo.seed(rng=random.Random(2), scale=1)
    assert summary.startswith(f"{TerminalState.objects.count()} terminal states")
    rows = user_rows(Account.objects.all())
    states = Counter(row.state for row in rows)
    assert set(states) == {"RED", "ORANGE", "GREEN", "GREY"}, states
    assert state_counts() == {state: states[state] for state in ("RED", "ORANGE", "GREEN", "GREY")}
    kinds = {terminal.kind for row in rows for terminal in row.terminals if terminal.source == "push"}
    assert kinds == {"sip", "dect", "usb", "mobile", "gui"}
    assert any(len([t for t in row.terminals if t.source == "push"]) >= 3 for row in rows)
    # every account with a live binding has its SIP phone pushed at the binding's address, registered
    now = timezone.now()
    live = set(
        RegistrationBinding.objects.filter(removed_at__isnull=True, expires_at__gt=now).values_list(
            "account_id", flat=True
        )
    )
    sip = {state.account_id: state for state in TerminalState.objects.filter(kind="sip", terminal=1)}
    assert live <= set(sip)
    assert all(sip[account_id].address.startswith(("192.168.", "10.10.")) for account_id in live)
    # the current state is the newest push of its terminal
    state = TerminalState.objects.order_by("id").first()
    newest = TerminalStateEvent.objects.filter(account=state.account, terminal=state.terminal).latest("timestamp")
    assert (newest.event_id, newest.calls_active) == (state.event_id, state.calls_active)
    assert demo.seed(rng=random.Random(2), scale=1) == "terminal states already present"


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
