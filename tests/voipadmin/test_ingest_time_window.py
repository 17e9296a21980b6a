"""Every ingest endpoint refuses a time without an offset, or outside the ingest window, with a 400
naming index and field, and stores nothing of the batch (docs/api.md)."""

import datetime

import pytest
from django.utils import timezone

from audit.models import ServerEvent
from cdr.models import Cdr
from conferences.models import ConferenceEvent
from monitoring.models import TerminalStateEvent
from registrations.models import RegistrationBinding
from sip_sessions.models import SipEvent

pytestmark = pytest.mark.django_db

GOOD = "2026-11-20T10:00:00+01:00"


def sip_event(n: int, time: str) -> dict:
    return {"event_id": f"s{n}", "timestamp": time, "event": "CONNECT", "remote_ip": "203.0.113.10",
            "remote_port": 5060, "transport": "UDP"}  # fmt: skip


def registration(n: int, time: str) -> dict:
    return {"event_id": f"r{n}", "timestamp": time, "username": "1932", "contact": "sip:1932@192.168.1.20:5060",
            "remote_ip": "203.0.113.10", "remote_port": 5060, "transport": "UDP", "expires": 3600}  # fmt: skip


def cdr(n: int, time: str) -> dict:
    return {"uniqueid": f"1772705701.{n}", "start": time, "end": time, "duration": 0,
            "billsec": 0, "disposition": "NO ANSWER"}  # fmt: skip


def terminal_state(n: int, time: str) -> dict:
    return {"event_id": f"t{n}", "timestamp": time, "username": "1932", "terminal": 1, "kind": "sip",
            "registered": True}  # fmt: skip


def conference_event(n: int, time: str) -> dict:
    return {"event_id": f"c{n}", "timestamp": time, "type": "session_started", "session_id": f"S{n}",
            "conference_id": "room-7", "owner": "anna"}  # fmt: skip


def server_event(n: int, time: str) -> dict:
    return {"event_id": f"v{n}", "timestamp": time, "event": "start"}


ENDPOINTS = [  # url, item maker, the time fields it fills, the model it stores in
    pytest.param("/api/v1/sip-events/", sip_event, {"timestamp"}, SipEvent, id="sip-events"),
    pytest.param("/api/v1/registrations/", registration, {"timestamp"}, RegistrationBinding, id="registrations"),
    pytest.param("/api/v1/cdrs/", cdr, {"start", "end"}, Cdr, id="cdrs"),
    pytest.param("/api/v1/terminal-states/", terminal_state, {"timestamp"}, TerminalStateEvent, id="terminal-states"),
    pytest.param("/api/v1/conference-events/", conference_event, {"timestamp"}, ConferenceEvent,
                 id="conference-events"),
    pytest.param("/api/v1/server-events/", server_event, {"timestamp"}, ServerEvent, id="server-events"),
]  # fmt: skip


def far_ahead() -> str:
    return (timezone.now() + datetime.timedelta(days=400)).isoformat()


@pytest.mark.parametrize(("url", "make", "fields", "model"), ENDPOINTS)
@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda: "9999-12-31T23:59:59Z", id="year-9999"),
        pytest.param(lambda: "9999-12-31T23:00:00-05:00", id="past-9999-in-utc"),
        pytest.param(lambda: "1999-12-31T23:59:59Z", id="before-2000"),
        pytest.param(far_ahead, id="over-a-year-ahead"),
    ],
)
def test_a_time_outside_the_window_is_a_400_naming_index_and_field(ingest_client, url, make, fields, model, bad):
    response = ingest_client.post(url, [make(0, GOOD), make(1, bad())], format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {(error["index"], error["field"]) for error in errors} == {(1, name) for name in fields}
    assert all("must lie between 2000-01-01T00:00:00Z and a year from now" in error["message"] for error in errors)
    assert not model.objects.exists()


@pytest.mark.parametrize(("url", "make", "fields", "model"), ENDPOINTS)
def test_the_window_edges_are_accepted(ingest_client, url, make, fields, model):
    edge = (timezone.now() + datetime.timedelta(days=365)).isoformat()
    response = ingest_client.post(url, [make(0, "2000-01-01T00:00:00Z"), make(1, edge)], format="json")
    assert response.status_code == 201, response.content
    assert model.objects.exists()


@pytest.mark.parametrize(("url", "make", "fields", "model"), ENDPOINTS)
@pytest.mark.parametrize("naive", ["2026-11-20T10:00:00", "2026-11-20 10:00:00.250"])
def test_a_time_without_an_offset_is_a_400_naming_index_and_field(ingest_client, url, make, fields, model, naive):
    """Read in TIME_ZONE it would be stored an offset away from when it happened: refused, not guessed."""
    response = ingest_client.post(url, [make(0, GOOD), make(1, naive)], format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {(error["index"], error["field"]) for error in errors} == {(1, name) for name in fields}
    assert all("with an offset" in error["message"] for error in errors)
    assert not model.objects.exists()


def test_a_cdrs_answer_without_an_offset_is_refused_too(ingest_client):
    response = ingest_client.post("/api/v1/cdrs/", [{**cdr(0, GOOD), "answer": "2026-11-20T10:00:00"}], format="json")
    assert response.status_code == 400
    assert [(error["index"], error["field"]) for error in response.json()["errors"]] == [(0, "answer")]
    assert not Cdr.objects.exists()
