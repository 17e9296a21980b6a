"""/monitoring/<account_id>/diagnostics/: two days of SIP events, calls, registrations and
terminal changes in one timeline, newest first, detailed as MONITORING_DIAGNOSTICS_DETAIL says."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from monitoring.diagnostics import diagnostics_timeline
from tests.cdr.factories import CdrFactory
from tests.monitoring.factories import TerminalStateEventFactory
from tests.registrations.factories import AccountFactory, BindingFactory
from tests.sip_sessions.factories import SipEventFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def history(db):
    now = timezone.now().replace(microsecond=0)
    mario = AccountFactory(username="1932", extension="1932")
    other = AccountFactory(username="1101", extension="1101")
    SipEventFactory(time=now - 3 * HOUR, event="NETWORK_ERROR", username="1932", details="Connection reset by peer")
    SipEventFactory(time=now - 50 * HOUR, event="CONNECT", username="1932", details="too old")
    SipEventFactory(time=now - 2 * HOUR, event="CONNECT", username="1101", details="someone else")
    CdrFactory(start=now - 5 * HOUR, src="1932", dst="1101", caller=mario, callee=other, disposition="BUSY",
               disposition_source="BUSY", billsec=0, duration=4, uniqueid="u-out")  # fmt: skip
    CdrFactory(start=now - 6 * HOUR, src="+390612345678", dst="1932", callee=mario, uniqueid="u-in")
    CdrFactory(start=now - 60 * HOUR, src="1932", dst="1101", caller=mario, uniqueid="u-old")
    BindingFactory(account=mario, registered_at=now - 10 * HOUR, expires_at=now - 9 * HOUR, removed_at=now - 9.5 * HOUR,
                   removed_reason="unregister", contact="sip:1932@192.168.10.20:5060")  # fmt: skip
    BindingFactory(account=mario, registered_at=now - 70 * HOUR, expires_at=now - 69 * HOUR)  # before the window
    TerminalStateEventFactory(account=mario, timestamp=now - HOUR, terminal=2, kind="dect", calls_active=1,
                              model="Gigaset S700H", event_id="push-7")  # fmt: skip
    TerminalStateEventFactory(account=other, timestamp=now - HOUR)
    return {"now": now, "mario": mario}


def test_one_timeline_newest_first_of_this_users_last_two_days(history):
    timeline = diagnostics_timeline(account=history["mario"], level="none", now=history["now"])
    assert [(entry.source, entry.type, entry.summary) for entry in timeline.entries] == [
        ("terminal", "Terminal 2", "DECT: registered, calls 1 active"),
        ("sip", "NETWORK_ERROR", "a transport error (reset, unreachable, TLS failure)"),
        ("call", "Outgoing call", "to 1101, 4 s"),
        ("call", "Incoming call", "from +390612345678, 65 s, 60 s talk"),
        ("registration", "Binding ended (unregister)", "sip:1932@192.168.10.20:5060 unregistered"),
        ("registration", "Registered", "sip:1932@192.168.10.20:5060 registered"),
    ]
    assert all(entry.headers == [] and entry.full == [] for entry in timeline.entries)
    assert timeline.truncated == []


def test_headers_add_addresses_contact_user_agent_and_dispositions(history):
    entries = diagnostics_timeline(account=history["mario"], level="headers", now=history["now"]).entries
    by_type = {entry.type: dict(entry.headers) for entry in entries}
    assert by_type["NETWORK_ERROR"]["Remote address"] == "203.0.113.10:5060/UDP"
    assert by_type["Outgoing call"]["Disposition"] == "BUSY (BUSY)"
    assert by_type["Registered"]["Contact"] == "sip:1932@192.168.10.20:5060"
    assert by_type["Registered"]["User agent"] == "Yealink SIP-T46U 108.86.0.20"
    assert by_type["Terminal 2"]["Model"] == "Gigaset S700H"
    assert all(entry.full == [] for entry in entries)
    links = {entry.source: entry.link.split("/")[1] for entry in entries if entry.link}
    assert links == {"sip": "sip-sessions", "call": "cdr", "registration": "registration-history"}


def test_full_adds_details_every_cdr_field_and_the_payload(history):
    entries = diagnostics_timeline(account=history["mario"], level="full", now=history["now"]).entries
    by_type = {entry.type: dict(entry.full) for entry in entries}
    assert by_type["NETWORK_ERROR"]["Details"] == "Connection reset by peer"
    assert by_type["Outgoing call"]["unique ID"] == "u-out"
    assert by_type["Outgoing call"]["disposition as received"] == "BUSY"
    assert '"event_id": "push-7"' in by_type["Terminal 2"]["Payload"]


def test_each_source_is_bounded(history, settings):
    settings.MONITORING_DIAGNOSTICS_ROWS = 1
    timeline = diagnostics_timeline(account=history["mario"], level="none", now=history["now"])
    assert set(timeline.truncated) == {"calls"}
    assert [entry.type for entry in timeline.entries if entry.source == "call"] == ["Outgoing call"]


@pytest.mark.parametrize("level", ["none", "headers", "full"])
def test_the_page_follows_the_setting(operator_client, history, settings, level):
    settings.MONITORING_DIAGNOSTICS_DETAIL = level
    response = operator_client.get(f"/monitoring/{history['mario'].pk}/diagnostics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"data-detail-level>(\w+)<", html).group(1) == level
    assert html.count('data-source="') == 6
    assert ("203.0.113.10:5060/UDP" in html) is (level != "none")
    assert ("Connection reset by peer" in html) is (level == "full")
    assert "someone else" not in html and "too old" not in html


def test_an_unknown_account_is_404_and_a_bad_setting_fails_the_check(operator_client, settings):
    assert operator_client.get("/monitoring/999999/diagnostics/").status_code == 404
    settings.MONITORING_DIAGNOSTICS_DETAIL = "everything"
    with pytest.raises(Exception, match=r"monitoring\.E001"):
        call_command("check")
