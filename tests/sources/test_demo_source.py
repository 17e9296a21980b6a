"""The demo source at explicit times (the clock frozen at each tick): the seeded server stays at
work, and the dashboard's figures agree with each other and with the bindings at every tick."""

import datetime
import io
import os
import random
import subprocess
import sys

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from cdr.models import Cdr
from conferences import demo as conferences_demo
from conferences.cards import running_now
from conferences.models import ConferenceSession
from monitoring import demo as monitoring_demo
from monitoring.cards import users_by_state
from monitoring.models import TerminalState, TerminalStateEvent
from monitoring.selectors import user_rows
from registrations import demo as registrations_demo
from registrations.cards import online_now
from registrations.models import Account, RegistrationBinding
from sip_sessions.models import SipEvent
from sources import demo
from sources.models import SourceCursor
from sources.tasks import demo_tick as demo_tick_task
from voipadmin.settings.demo import demo_source_enabled

pytestmark = pytest.mark.django_db
SEEDED = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.UTC)
STEP = datetime.timedelta(minutes=10)
TICKS = 12


@pytest.fixture
def demo_on(settings):
    settings.DEBUG = True
    settings.DEMO_SOURCE = True
    settings.DEMO_INTERVAL = STEP.seconds  # beat's interval: the ticks below come this often


@pytest.fixture
def seeded(demo_on):
    with time_machine.travel(SEEDED, tick=False):
        for app in (registrations_demo, conferences_demo, monitoring_demo):
            app.seed(rng=random.Random(7), scale=0.1, now=SEEDED)


def tick_at(moment: datetime.datetime) -> demo.TickSummary:
    with time_machine.travel(moment, tick=False):
        return demo.demo_tick(now=moment)


def dashboard_at(moment: datetime.datetime) -> dict:
    with time_machine.travel(moment, tick=False):
        rows = user_rows(Account.objects.all(), now=moment)
        return {
            "registered": online_now(None),
            "states": {state: count for state, _label, count in users_by_state(None)["counts"]},
            "conferences": running_now(None),
            "on": {row.account_id for row in rows if row.state != "GREY"},
        }


def assert_dashboard_adds_up(moment: datetime.datetime) -> None:
    figures = dashboard_at(moment)
    registered, states = figures["registered"], figures["states"]
    live = set(
        RegistrationBinding.objects.filter(removed_at__isnull=True, expires_at__gt=moment).values_list(
            "account_id", flat=True
        )
    )
    assert registered["online"] == len(live)
    assert registered["online"] + registered["offline"] == registered["accounts"] == Account.objects.count()
    assert sum(states.values()) == registered["accounts"]
    assert states["GREY"] == registered["offline"], (moment, states, registered)
    assert figures["on"] == live  # a user is on exactly while a binding of theirs is live
    running = ConferenceSession.objects.filter(ended_at__isnull=True)
    assert figures["conferences"]["count"] == running.count()
    assert all(moment - session.started_at <= datetime.timedelta(minutes=80) for session in running)


def test_ticks_keep_the_server_at_work_and_the_dashboard_consistent(seeded):
    assert_dashboard_adds_up(SEEDED)
    before_bindings = set(RegistrationBinding.objects.values_list("pk", flat=True))
    before_states = dict(TerminalState.objects.values_list("pk", "event_id"))
    seeded_running = set(ConferenceSession.objects.filter(ended_at__isnull=True).values_list("pk", flat=True))
    history = TerminalStateEvent.objects.count()
    totals = demo.TickSummary()
    for number in range(1, TICKS + 1):
        moment = SEEDED + number * STEP
        summary = tick_at(moment)
        for name in ("registrations", "sip_events", "cdrs", "terminal_states", "conference_events"):
            setattr(totals, name, getattr(totals, name) + getattr(summary, name))
        assert_dashboard_adds_up(moment)
        assert_dashboard_adds_up(moment + STEP - datetime.timedelta(seconds=1))  # and until the next one
    end = SEEDED + TICKS * STEP
    assert min(totals.registrations, totals.sip_events, totals.cdrs, totals.terminal_states) > 0, totals.text
    # calls placed, with their CDRs and the callee's CONNECT / DISCONNECT
    assert Cdr.objects.filter(start__gt=SEEDED, disposition="ANSWERED").exists()
    assert SipEvent.objects.filter(time__gt=SEEDED, event="CONNECT", username="").exists()
    # registrations refreshed, some left to expire (an EXPIRED event each), some new
    old = RegistrationBinding.objects.filter(pk__in=before_bindings)
    assert old.filter(registered_at__lt=SEEDED, refreshed_at__gt=SEEDED).exists()
    expired = old.filter(removed_at__isnull=True, expires_at__gt=SEEDED, expires_at__lte=end)
    assert expired.exists()
    assert SipEvent.objects.filter(event="EXPIRED", username__in=expired.values("username")).exists()
    assert RegistrationBinding.objects.exclude(pk__in=before_bindings).exists()
    # terminal states changed (and their pushes kept for the diagnostics)
    changed = [
        pk for pk, event_id in TerminalState.objects.values_list("pk", "event_id") if before_states.get(pk) != event_id
    ]
    assert changed
    assert TerminalStateEvent.objects.count() > history
    # the seeded conferences ended, new ones started
    assert not ConferenceSession.objects.filter(pk__in=seeded_running, ended_at__isnull=True).exists()
    assert ConferenceSession.objects.filter(started_at__gt=SEEDED).exists()
    assert SourceCursor.objects.get(source="demo").position["ticks"] == TICKS


def test_a_tick_is_played_once_and_a_long_pause_plays_at_most_the_cap(seeded):
    moment = SEEDED + STEP
    tick_at(moment)
    cdrs = Cdr.objects.count()
    assert tick_at(moment).text == demo.TickSummary().text  # the same moment again: nothing
    assert Cdr.objects.count() == cdrs
    later = moment + datetime.timedelta(days=2)  # the console was stopped for two days
    tick_at(later)
    assert not Cdr.objects.filter(start__lt=later - demo.MAX_SPAN, start__gt=moment).exists()
    assert_dashboard_adds_up(later)
    for number in range(1, 4):  # the phones that expired meanwhile come back
        tick_at(later + number * STEP)
    assert_dashboard_adds_up(later + 3 * STEP)
    assert dashboard_at(later + 3 * STEP)["registered"]["online"] >= 0.8 * Account.objects.filter(active=True).count()


def test_the_demo_source_is_for_debug_only(settings):
    assert demo_source_enabled("1", debug=True) is True
    for off in (None, "", "0", "no", "sip"):
        assert demo_source_enabled(off, debug=False) is False
    with pytest.raises(ImproperlyConfigured, match="DEBUG=1"):
        demo_source_enabled("1", debug=False)
    with pytest.raises(ImproperlyConfigured, match="DEMO='maybe'"):
        demo_source_enabled("maybe", debug=True)
    # set by hand in a production settings module, the task still refuses and writes nothing
    settings.DEMO_SOURCE, settings.DEBUG = True, False
    assert demo_tick_task() == "the demo source is off (DEMO=1 needs DEBUG=1)"
    assert not SourceCursor.objects.filter(source="demo").exists()
    assert "demo-tick" not in settings.CELERY_BEAT_SCHEDULE


def test_production_settings_refuse_to_load_with_the_demo_on():
    env = {
        **os.environ,
        "DEMO": "1",
        "DEBUG": "0",
        "SECRET_KEY": "p" * 20 + "roduction-key-with-enough-variety-0123456789",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    loaded = subprocess.run(
        [sys.executable, "-c", "import voipadmin.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert loaded.returncode != 0
    assert "DEMO=1 feeds invented calls and registrations; it runs only with DEBUG=1" in loaded.stderr


def test_the_command_plays_up_to_the_moment_given(seeded):
    out = io.StringIO()
    call_command("demo_tick", "--at", (SEEDED + STEP).isoformat(), stdout=out)
    assert SourceCursor.objects.get(source="demo").position["at"] == demo.iso(SEEDED + STEP)
    assert out.getvalue().split(" registrations")[0] != "0"  # the seed's refreshes fell due
    for bad, message in (("tomorrow", "is not an ISO 8601 time"), ("2026-06-10T09:10:00", "has no UTC offset")):
        with pytest.raises(CommandError, match=message):
            call_command("demo_tick", "--at", bad)
