"""POST /api/v1/terminal-states/: newest state per terminal wins, idempotent, all-or-nothing."""

import datetime

import pytest
from django.utils import timezone

from monitoring.models import TerminalState, TerminalStateEvent
from registrations.models import Account
from tests.conftest import login_quietly
from tests.registrations.factories import AccountFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/terminal-states/"


def at(minutes: float) -> str:
    """A time `minutes` from a moment an hour ago, as the server would send it (with an offset)."""
    base = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    return (
        (base + datetime.timedelta(minutes=minutes))
        .astimezone(datetime.timezone(datetime.timedelta(hours=1)))
        .isoformat()
    )


def item(event_id: str, minutes: float, *, username="1932", terminal=1, **fields) -> dict:
    return {
        "event_id": event_id,
        "timestamp": at(minutes),
        "username": username,
        "terminal": terminal,
        "kind": "sip",
        "registered": True,
        "calls_ringing": 0,
        "calls_active": 0,
        "address": "192.168.10.20",
        "model": "Yealink SIP-T46U",
        **fields,
    }


def current() -> dict:
    return {
        (row.account.username, row.terminal): (
            row.event_id,
            row.kind,
            row.registered,
            row.calls_ringing,
            row.calls_active,
        )
        for row in TerminalState.objects.select_related("account")
    }


def test_a_batch_stores_the_newest_state_per_terminal_and_every_push_once(ingest_client):
    batch = [
        item("e1", 0),
        item("e2", 5, calls_ringing=1),
        item("e3", 6, calls_active=1),
        item("e4", 1, terminal=2, kind="DECT", model="Gigaset S700H"),
        item("e5", 2, username="2001", kind="mobile", address="+39 333 1234567"),
    ]
    response = ingest_client.post(URL, batch, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"received": 5, "created": 5, "unchanged": 0}
    assert current() == {
        ("1932", 1): ("e3", "sip", True, 0, 1),
        ("1932", 2): ("e4", "dect", True, 0, 0),
        ("2001", 1): ("e5", "mobile", True, 0, 0),
    }
    assert TerminalStateEvent.objects.count() == 5
    assert set(Account.objects.values_list("username", flat=True)) == {"1932", "2001"}  # bare accounts made

    again = ingest_client.post(URL, batch, format="json")
    assert again.json() == {"received": 5, "created": 0, "unchanged": 5}
    assert TerminalStateEvent.objects.count() == 5


def test_an_older_push_arriving_late_changes_nothing_whatever_the_order(ingest_client):
    newer, older = item("new", 10, calls_active=2), item("old", 3, calls_ringing=1)
    ingest_client.post(URL, [newer], format="json")
    written = TerminalState.objects.get().updated_at
    late = ingest_client.post(URL, [older], format="json")
    assert late.json()["created"] == 1  # a new fact for the history ...
    assert current() == {("1932", 1): ("new", "sip", True, 0, 2)}  # ... but not the current state
    assert TerminalState.objects.get().updated_at == written  # not even touched: the poll sees nothing
    TerminalState.objects.all().delete()
    TerminalStateEvent.objects.all().delete()
    ingest_client.post(URL, [older], format="json")
    ingest_client.post(URL, [newer], format="json")
    assert current() == {("1932", 1): ("new", "sip", True, 0, 2)}


def test_equal_timestamps_are_ordered_by_event_id_so_the_outcome_does_not_depend_on_arrival(ingest_client):
    a, b = item("evt-a", 4, calls_ringing=1), item("evt-b", 4, calls_active=1)
    ingest_client.post(URL, [b, a], format="json")
    first = current()
    TerminalState.objects.all().delete()
    ingest_client.post(URL, [a], format="json")
    ingest_client.post(URL, [b], format="json")
    assert current() == first == {("1932", 1): ("evt-b", "sip", True, 0, 1)}


def test_kind_of_a_slot_can_change(ingest_client):
    ingest_client.post(URL, [item("d1", 1, terminal=2, kind="dect")], format="json")
    ingest_client.post(URL, [item("u1", 2, terminal=2, kind="usb", address="pc-1932.lan")], format="json")
    assert current() == {("1932", 2): ("u1", "usb", True, 0, 0)}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"terminal": 5}, "terminal"),
        ({"terminal": 0}, "terminal"),
        ({"kind": "fax"}, "kind"),
        ({"timestamp": "2026-11-20T10:00:00"}, "timestamp"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"registered": "maybe"}, "registered"),
        ({"calls_active": -1}, "calls_active"),
        ({"calls_ringing": "two"}, "calls_ringing"),
        ({"event_id": ""}, "event_id"),
        ({"username": "x" * 65}, "username"),
    ],
)
def test_a_bad_item_rejects_the_whole_batch_naming_index_and_field(ingest_client, change, field):
    batch = [item("ok-1", 1), {**item("bad", 2), **change}, item("ok-2", 3, username="2002")]
    response = ingest_client.post(URL, batch, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(error["index"], error["field"]) for error in errors] == [(1, field)]
    assert not TerminalState.objects.exists() and not TerminalStateEvent.objects.exists()
    assert not Account.objects.exists()


def test_missing_required_fields_are_named(ingest_client):
    response = ingest_client.post(URL, {"event_id": "x", "username": "1932"}, format="json")
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"timestamp", "terminal", "kind", "registered"}


def test_calls_address_and_model_are_optional(ingest_client):
    minimal = {
        "event_id": "m1",
        "timestamp": at(1),
        "username": "1932",
        "terminal": 3,
        "kind": "usb",
        "registered": False,
    }
    assert ingest_client.post(URL, minimal, format="json").status_code == 201
    assert current() == {("1932", 3): ("m1", "usb", False, 0, 0)}


def test_a_push_older_than_the_history_moves_the_state_but_is_not_kept(ingest_client, settings):
    settings.MONITORING_HISTORY_DAYS = 3
    old = item("ancient", -5 * 24 * 60)
    assert ingest_client.post(URL, [old], format="json").json()["created"] == 1
    assert current() == {("1932", 1): ("ancient", "sip", True, 0, 0)}
    assert not TerminalStateEvent.objects.exists()
    assert ingest_client.post(URL, [old], format="json").json()["created"] == 0


def test_get_lists_current_states_and_pushing_needs_the_ingest_role(ingest_client, client, operator):
    AccountFactory(username="1932")
    ingest_client.post(URL, [item("g1", 1), item("g2", 2, terminal=2, kind="usb")], format="json")
    listed = ingest_client.get(URL + "?username=1932").json()
    assert [(row["username"], row["terminal"], row["kind"]) for row in listed["results"]] == [
        ("1932", 1, "sip"),
        ("1932", 2, "usb"),
    ]
    login_quietly(client, operator)
    assert client.get(URL).status_code == 200
    assert client.post(URL, [item("x", 3)], content_type="application/json").status_code == 403


def test_a_nul_in_the_username_is_a_400_naming_it(ingest_client):
    response = ingest_client.get(URL + "?username=19%0032")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "username"
