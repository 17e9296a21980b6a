"""POST/GET /api/v1/sip-events/: idempotent batches, all-or-nothing, reconciliation in GET items."""

import pytest

from sip_sessions.models import SipEvent
from sip_sessions.reconcile import reconcile
from tests.registrations.factories import AccountFactory, BindingFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/sip-events/"
BATCH = [
    {
        "event_id": "s1",
        "timestamp": "2026-11-02T10:05:00+01:00",
        "event": "CONNECT",
        "remote_ip": "203.0.113.10",
        "remote_port": 5060,
        "transport": "udp",
        "details": "TCP connection from 203.0.113.10:5060",
    },
    {
        "event_id": "s2",
        "timestamp": "2026-11-02T10:06:00+01:00",
        "event": "network_error",
        "remote_ip": "203.0.113.10",
        "remote_port": 5060,
        "transport": "UDP",
        "details": "Connection reset by peer",
    },
    {
        "event_id": "s3",
        "timestamp": "2026-11-02T10:07:00+01:00",
        "event": "AUTH_FAILED",
        "remote_ip": "198.51.100.66",
        "username": "admin",
        "details": "401: wrong password",
    },
]


@pytest.fixture
def api(ingest_client):
    return ingest_client


def snapshot() -> list[tuple]:
    return list(SipEvent.objects.order_by("event_id").values_list("event_id", "time", "event", "username", "transport"))


def test_the_same_batch_twice_leaves_the_same_rows(api):
    assert api.post(URL, BATCH, format="json").json() == {"received": 3, "created": 3, "unchanged": 0}
    stored = snapshot()
    assert api.post(URL, BATCH, format="json").json() == {"received": 3, "created": 0, "unchanged": 3}
    assert snapshot() == stored
    assert [row[2] for row in stored] == ["CONNECT", "NETWORK_ERROR", "AUTH_FAILED"]
    assert stored[0][1].isoformat() == "2026-11-02T09:05:00+00:00"


def test_a_malformed_batch_leaves_none(api):
    bad = [
        BATCH[0],
        {**BATCH[1], "event": "INVITE_STORM"},
        {"event_id": "s9", "timestamp": "2026-11-02T10:00:00+01:00", "event": "CONNECT"},
        {**BATCH[2], "timestamp": "yesterday"},
        {**BATCH[0], "event_id": "s8", "remote_port": 0},
    ]
    response = api.post(URL, bad, format="json")
    assert response.status_code == 400
    assert {(e["index"], e["field"]) for e in response.json()["errors"]} == {
        (1, "event"),
        (2, "remote_ip"),
        (2, "remote_port"),
        (2, "transport"),
        (3, "timestamp"),
        (4, "remote_port"),
    }
    assert not SipEvent.objects.exists()


@pytest.mark.parametrize(
    "left_out",
    [("remote_port",), ("transport",), ("remote_ip",), ("remote_port", "transport")],
)
@pytest.mark.parametrize("as_what", ["absent", "null or blank"])
def test_an_event_without_a_username_needs_its_full_remote_address(api, left_out, as_what):
    """Reconciliation matches ip, port and transport: with one missing the event could never be
    pending, so it would sit unreconciled for ever. Each missing part is named."""
    item = {**BATCH[0], "event_id": "s9"}
    for name in left_out:
        if as_what == "absent":
            del item[name]
        else:
            item[name] = "" if name == "transport" else None
    response = api.post(URL, [BATCH[0], item], format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {(error["index"], error["field"]) for error in errors} == {(1, name) for name in left_out}
    assert all("without a username needs the" in error["message"] for error in errors)
    assert not SipEvent.objects.exists()


def test_a_named_event_may_come_without_an_address(api):
    named = {"event_id": "s7", "timestamp": "2026-11-02T10:00:00Z", "event": "REGISTER", "username": "1932"}
    port_only = {**BATCH[0], "event_id": "s8", "username": "1932", "transport": ""}
    assert api.post(URL, [named, port_only], format="json").status_code == 201
    assert SipEvent.objects.get(event_id="s8").remote_port == 5060


def test_a_named_user_is_linked_to_a_known_account_only(api):
    mario = AccountFactory(username="1932")
    api.post(URL, [*BATCH, {**BATCH[2], "event_id": "s4", "username": "1932"}], format="json")
    assert SipEvent.objects.get(event_id="s4").account == mario
    assert SipEvent.objects.get(event_id="s3").account is None  # a scanner's guess makes no account


def test_get_items_carry_reconciliation(api, operator_client):
    BindingFactory(account=AccountFactory(username="1932"))
    api.post(URL, BATCH, format="json")
    reconcile()
    results = operator_client.get(URL).json()["results"]
    assert [row["event_id"] for row in results] == ["s3", "s2", "s1"]  # newest first
    assert {key: results[1][key] for key in ("event", "username", "reconciled", "ambiguous")} == {
        "event": "NETWORK_ERROR",
        "username": "1932",
        "reconciled": True,
        "ambiguous": False,
    }
    assert set(results[1]) >= {"timestamp", "remote_ip", "remote_port", "transport", "details", "reconciled_at"}
    assert (results[0]["username"], results[0]["reconciled"]) == ("admin", False)
    pending = operator_client.get(URL + "?state=reconciled&username=1932").json()["results"]
    assert [row["event_id"] for row in pending] == ["s2", "s1"]


def test_deleting_an_account_keeps_its_events_by_name(api):
    mario = AccountFactory(username="1932")
    api.post(URL, {**BATCH[2], "event_id": "s4", "username": "1932"}, format="json")
    mario.delete()
    event = SipEvent.objects.get(event_id="s4")
    assert (event.account_id, event.username) == (None, "1932")


def test_a_batch_of_stored_repeated_and_new_events_stores_each_new_one_once(api):
    api.post(URL, BATCH[:1], format="json")
    later = {**BATCH[0], "timestamp": "2026-11-02T11:05:00+01:00"}  # same event_id, another time: another row
    body = [BATCH[0], BATCH[1], BATCH[1], later, {**BATCH[2], "details": "a repeat keeps the first"}, BATCH[2]]
    assert api.post(URL, body, format="json").json() == {"received": 6, "created": 3, "unchanged": 3}
    assert SipEvent.objects.filter(event_id="s1").count() == 2
    assert SipEvent.objects.get(event_id="s3").details == "a repeat keeps the first"


def test_a_number_past_64_bits_is_refused_as_drf_words_it(api):
    body = b'[{"event_id": "big", "timestamp": "2026-11-02T10:05:00Z", "event": "CONNECT", "username": "u",' \
           b' "remote_port": 18446744073709551616}]'  # fmt: skip
    response = api.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 0, "field": "remote_port", "message": "Ensure this value is less than or equal to 65535."}
    ]
    assert not SipEvent.objects.exists()
