"""The reconciliation rule at its edges (DESIGN.md "Reconciliation")."""

import datetime
import importlib

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from registrations.services import binding_apply
from sip_sessions.models import ReconciliationRun, SipEvent
from sip_sessions.reconcile import reconcile
from tests.registrations.factories import T0, AccountFactory, BindingFactory
from tests.sip_sessions.factories import SipEventFactory
from voipadmin.settings import celery as celery_settings

pytestmark = pytest.mark.django_db

SECOND = datetime.timedelta(seconds=1)
HOUR = datetime.timedelta(hours=1)


def state(event: SipEvent) -> tuple:
    event.refresh_from_db()
    return event.reconciled, event.ambiguous, event.username


def register(account, moment, *, port=5060, expires=3600, contact=None, event_id=None, ip="203.0.113.10"):
    item = {
        "event_id": event_id or f"r-{account.username}-{moment.timestamp()}-{port}-{expires}",
        "timestamp": moment,
        "username": account.username,
        "contact": contact or f"sip:{account.username}@192.168.1.20:5060",
        "remote_ip": ip,
        "remote_port": port,
        "transport": "UDP",
        "expires": expires,
        "user_agent": "Yealink SIP-T46U",
    }
    return binding_apply(account=account, item=item, now=moment)


def test_binding_start_is_inclusive_and_its_end_exclusive():
    binding = BindingFactory(account=AccountFactory(username="1932"))
    at_start = SipEventFactory(time=binding.registered_at)
    before = SipEventFactory(time=binding.registered_at - SECOND)
    last_moment = SipEventFactory(time=binding.expires_at - datetime.timedelta(microseconds=1))
    at_expiry = SipEventFactory(time=binding.expires_at)

    run = reconcile()

    assert state(at_start) == (True, False, "1932")
    assert state(last_moment) == (True, False, "1932")
    assert state(before) == (False, False, "")
    assert state(at_expiry) == (False, False, "")
    assert (run.bound, run.ambiguous, run.examined) == (2, 0, 4)
    at_start.refresh_from_db()
    assert at_start.account == binding.account and at_start.reconciled_at is not None


def test_a_removed_binding_ends_at_its_removal():
    binding = BindingFactory(removed_at=T0 + 30 * datetime.timedelta(minutes=1))
    inside = SipEventFactory(time=binding.removed_at - SECOND)
    at_removal = SipEventFactory(time=binding.removed_at)
    reconcile()
    assert state(inside)[0] is True
    assert state(at_removal) == (False, False, "")


def test_only_the_same_port_and_transport_match():
    BindingFactory()
    other_port = SipEventFactory(remote_port=5062)
    other_transport = SipEventFactory(transport="TCP")
    other_ip = SipEventFactory(remote_ip="203.0.113.11")
    reconcile()
    assert [state(event)[0] for event in (other_port, other_transport, other_ip)] == [False, False, False]


def test_re_registration_from_a_new_port_moves_the_binding():
    account = AccountFactory(username="1932")
    register(account, T0, port=5060)
    register(account, T0 + 10 * 60 * SECOND, port=40112)  # the NAT gave the phone another port
    old_port_before = SipEventFactory(time=T0 + 5 * 60 * SECOND, remote_port=5060)
    old_port_after = SipEventFactory(time=T0 + 20 * 60 * SECOND, remote_port=5060)
    new_port_after = SipEventFactory(time=T0 + 20 * 60 * SECOND, remote_port=40112)
    reconcile()
    assert state(old_port_before) == (True, False, "1932")
    assert state(old_port_after) == (False, False, "")
    assert state(new_port_after) == (True, False, "1932")


def test_unregister_ends_the_binding():
    account = AccountFactory(username="1932")
    register(account, T0)
    register(account, T0 + 15 * 60 * SECOND, expires=0)
    during = SipEventFactory(time=T0 + 14 * 60 * SECOND)
    after = SipEventFactory(time=T0 + 16 * 60 * SECOND)
    reconcile()
    assert state(during)[0] is True
    assert state(after) == (False, False, "")


def test_two_accounts_behind_one_address_are_ambiguous_and_never_guessed():
    BindingFactory(account=AccountFactory(username="2001"))
    BindingFactory(account=AccountFactory(username="2002"), registered_at=T0 + 5 * 60 * SECOND)
    only_first = SipEventFactory(time=T0 + 60 * SECOND)
    both = SipEventFactory(time=T0 + 6 * 60 * SECOND)
    run = reconcile()
    assert state(only_first) == (True, False, "2001")
    assert state(both) == (False, True, "")
    both.refresh_from_db()
    assert both.account is None and both.reconciled_at is not None
    assert (run.bound, run.ambiguous) == (1, 1)


def test_the_same_account_twice_at_one_address_is_not_ambiguous():
    account = AccountFactory(username="2001")
    BindingFactory(account=account, contact="sip:2001@192.168.1.20:5060")
    BindingFactory(account=account, contact="sip:2001@192.168.1.20:5062")
    event = SipEventFactory()
    reconcile()
    assert state(event) == (True, False, "2001")


def test_ambiguous_events_stay_so_until_asked_to_retry():
    first = BindingFactory(account=AccountFactory(username="2001"))
    BindingFactory(account=AccountFactory(username="2002"))
    event = SipEventFactory()
    reconcile()
    assert state(event)[1] is True
    first.removed_at = T0  # history corrected by hand: 2001 was never there
    first.save()
    reconcile()
    assert state(event) == (False, True, "")
    call_command("reconcile_sip_events", "--retry-ambiguous", stdout=__import__("io").StringIO())
    assert state(event) == (True, False, "2002")


def test_events_named_by_the_server_or_without_an_address_are_left_alone():
    BindingFactory(account=AccountFactory(username="2001"))
    named = SipEventFactory(event="REGISTER", username="1777")
    no_port = SipEventFactory(remote_port=None)
    reconcile()
    assert state(named) == (False, False, "1777")
    assert state(no_port) == (False, False, "")


def test_an_event_before_its_binding_is_bound_when_the_binding_arrives():
    event = SipEventFactory(time=T0 + 10 * 60 * SECOND)
    first = reconcile()
    assert state(event) == (False, False, "") and first.bound == 0
    register(AccountFactory(username="1932"), T0)  # registered_at before the event, stored after it
    second = reconcile()
    assert second.mode == "incremental"
    assert state(event) == (True, False, "1932") and second.bound == 1


def test_an_old_pending_event_is_bound_through_a_late_binding_only(settings):
    settings.RECONCILE_RETRY_HOURS = 1
    old = SipEventFactory(time=T0 + 10 * 60 * SECOND)
    scanner = SipEventFactory(time=T0 + 10 * 60 * SECOND, remote_ip="198.51.100.66")
    reconcile()
    # Both arrived before the retry window opened; the run stays young enough to be kept as the
    # window's anchor (a run older than the window plus a day is forgotten, and with no anchor a
    # run retries every pending event, which would hide the late-binding path).
    ReconciliationRun.objects.update(started_at=timezone.now() - 2 * HOUR, max_event_id=scanner.pk)
    quiet = reconcile()
    assert quiet.examined == 0  # outside the retry window, and no binding changed near them
    register(AccountFactory(username="1932"), T0)
    late = reconcile()
    assert late.error == "" and late.examined == 0  # nothing in the window: bound by the late binding's path
    assert state(old) == (True, False, "1932") and late.bound == 1
    assert state(scanner) == (False, False, "")


def test_a_beat_run_a_day_after_the_last_binds_an_old_event_through_a_late_binding():
    """The default window (24 h): beat was down for 25 h, then a late REGISTER arrives."""
    from sip_sessions.tasks import reconcile_events

    old = SipEventFactory(time=T0 + 10 * 60 * SECOND)
    reconcile()
    ReconciliationRun.objects.update(started_at=timezone.now() - 25 * HOUR, max_event_id=old.pk)
    register(AccountFactory(username="1932"), T0)
    result = reconcile_events.delay().get()
    run = ReconciliationRun.objects.get(pk=result["run"])
    assert run.error == "" and run.finished_at is not None
    assert (run.mode, run.bound) == ("incremental", 1)
    assert state(old) == (True, False, "1932")
    later = reconcile_events.delay().get()  # the window moves on: the next run starts from this one
    assert ReconciliationRun.objects.get(pk=later["run"]).error == "" and later["examined"] == 0


def test_beat_runs_reconciliation_every_reconcile_interval(monkeypatch):
    from voipadmin.celery import app

    app.loader.import_default_modules()  # what worker and beat do at start: autodiscovery
    entry = app.conf.beat_schedule["reconcile-sip-events"]
    assert entry["task"] == "sip_sessions.tasks.reconcile_events" and entry["task"] in app.tasks
    assert entry["schedule"] == datetime.timedelta(seconds=django_settings.RECONCILE_INTERVAL)
    monkeypatch.delenv("RECONCILE_INTERVAL", raising=False)
    try:
        assert importlib.reload(celery_settings).RECONCILE_INTERVAL == 60
        monkeypatch.setenv("RECONCILE_INTERVAL", "15")
        reloaded = importlib.reload(celery_settings)
        schedule = reloaded.CELERY_BEAT_SCHEDULE["reconcile-sip-events"]["schedule"]
        assert schedule == datetime.timedelta(seconds=15)
    finally:
        monkeypatch.undo()
        importlib.reload(celery_settings)


def test_a_bound_event_keeps_its_account_when_a_second_account_appears_there_later():
    """README: a bound event is final; a lagging feed's second binding does not make it ambiguous."""
    register(AccountFactory(username="2001"), T0)
    event = SipEventFactory()
    reconcile()
    register(AccountFactory(username="2002"), T0, contact="sip:2002@192.168.1.21:5060")
    late = reconcile()
    assert state(event) == (True, False, "2001") and late.ambiguous == 0
    after = SipEventFactory(event_id="after")  # a new event there is examined against both
    reconcile()
    assert state(after) == (False, True, "")


def test_batches_cover_every_pending_event():
    BindingFactory(account=AccountFactory(username="3001"), expires_at=T0 + 10 * HOUR)
    events = [SipEventFactory(time=T0 + n * 60 * SECOND) for n in range(25)]
    SipEventFactory(time=T0 - HOUR)  # no binding then: stays pending
    run = reconcile(batch_size=4)
    assert run.bound == 25 and run.examined == 26
    assert all(state(event)[0] for event in events)


def test_runs_are_recorded_and_a_second_run_binds_nothing_twice():
    BindingFactory()
    SipEventFactory()
    first = reconcile()
    again = reconcile()
    assert first.mode == "full" and first.bound == 1 and first.finished_at is not None
    assert again.mode == "incremental" and again.bound == 0
    assert SipEvent.objects.filter(reconciled=True).count() == 1


def test_task_and_command_run_it():
    from sip_sessions.tasks import reconcile_events

    BindingFactory()
    SipEventFactory()
    assert reconcile_events.delay().get()["bound"] == 1
    out = __import__("io").StringIO()
    call_command("reconcile_sip_events", "--batch-size", "10", stdout=out)
    assert "0 bound" in out.getvalue()
    assert ReconciliationRun.objects.count() == 2
