"""POST /api/v1/registrations/: bindings with history, idempotent batches, online/offline status."""

import datetime

import pytest
from django.utils import timezone

from audit.models import ServerEvent
from registrations.models import Account, RegistrationBinding

pytestmark = pytest.mark.django_db

URL = "/api/v1/registrations/"


@pytest.fixture
def api(ingest_client):
    return ingest_client


def item(event_id, timestamp, *, username="1932", port=5060, expires=3600, contact=None, **extra):
    return {
        "event_id": event_id,
        "timestamp": timestamp,
        "username": username,
        "contact": contact or f"sip:{username}@192.168.1.20:5060",
        "remote_ip": "203.0.113.10",
        "remote_port": port,
        "transport": "udp",
        "expires": expires,
        "user_agent": "Yealink SIP-T46U 108.86.0.20",
        **extra,
    }


def rows() -> list[tuple]:
    return list(
        RegistrationBinding.objects.order_by("id").values_list(
            "username", "remote_port", "transport", "registered_at", "expires_at", "removed_at", "removed_reason"
        )
    )


# Two days ahead (inside the ingest window), so these bindings are live "now" and move the online status.
DAY = (timezone.now() + datetime.timedelta(days=2)).date().isoformat()
HISTORY = [
    item("r1", f"{DAY}T09:00:00+01:00"),
    item("r2", f"{DAY}T09:30:00+01:00"),  # refresh: same contact, same address
    item("r3", f"{DAY}T09:40:00+01:00", port=40112),  # the NAT moved it: a new binding
    item("r4", f"{DAY}T09:45:00+01:00", username="1933"),
]


def test_a_batch_builds_bindings_with_history_and_a_repeat_changes_nothing(api):
    first = api.post(URL, HISTORY, format="json")
    assert first.status_code == 201, first.json()
    assert first.json() == {"received": 4, "created": 4, "unchanged": 0}
    stored = rows()
    assert [(r[0], r[1], r[2], r[6]) for r in stored] == [
        ("1932", 5060, "UDP", "moved"),
        ("1932", 40112, "UDP", ""),
        ("1933", 5060, "UDP", ""),
    ]
    refreshed = RegistrationBinding.objects.get(event_id="r1")
    assert refreshed.registered_at.isoformat() == f"{DAY}T08:00:00+00:00"
    assert refreshed.expires_at.isoformat() == f"{DAY}T09:30:00+00:00"  # 08:30 + 3600 s
    assert refreshed.removed_at.isoformat() == f"{DAY}T08:40:00+00:00"
    assert set(Account.objects.values_list("username", flat=True)) == {"1932", "1933"}  # created bare

    again = api.post(URL, HISTORY, format="json")
    assert again.json() == {"received": 4, "created": 0, "unchanged": 4}
    assert rows() == stored
    one_replayed = api.post(URL, [HISTORY[1]], format="json")  # an old refresh, alone
    assert one_replayed.json()["created"] == 0 and rows() == stored


def test_going_online_and_offline_are_status_server_events(api):
    api.post(URL, HISTORY[:1], format="json")
    online = ServerEvent.objects.get(event_type="status")
    assert (online.username, online.previous_status, online.new_status) == ("1932", 0, 1)
    assert online.ip == "203.0.113.10" and online.time.isoformat() == f"{DAY}T08:00:00+00:00"
    api.post(URL, [item("r2", f"{DAY}T09:30:00+01:00")], format="json")  # a refresh: still online
    assert ServerEvent.objects.filter(event_type="status").count() == 1
    api.post(URL, [item("u1", f"{DAY}T10:00:00+01:00", expires=0)], format="json")
    offline = ServerEvent.objects.filter(event_type="status").latest("id")
    assert (offline.previous_status, offline.new_status) == (1, 0)
    assert RegistrationBinding.objects.get(event_id="r1").removed_reason == "unregister"


def test_unregister_of_one_contact_leaves_the_others_and_star_removes_all(api):
    api.post(
        URL,
        [
            item("a", f"{DAY}T09:00:00Z", contact="sip:1932@10.0.0.5:5060"),
            item("b", f"{DAY}T09:00:01Z", contact="sip:1932@10.0.0.6:5060", port=5062),
            item("c", f"{DAY}T09:10:00Z", contact="sip:1932@10.0.0.5:5060", expires=0),
        ],
        format="json",
    )
    assert list(RegistrationBinding.objects.filter(removed_at__isnull=True).values_list("event_id", flat=True)) == ["b"]
    assert not ServerEvent.objects.filter(event_type="status", new_status=0).exists()  # b still live
    api.post(URL, [item("d", f"{DAY}T09:20:00Z", contact="*", expires=0)], format="json")
    assert not RegistrationBinding.objects.filter(removed_at__isnull=True).exists()
    assert ServerEvent.objects.filter(event_type="status", new_status=0).count() == 1


def test_a_malformed_batch_leaves_nothing(api):
    bad = [
        item("ok", f"{DAY}T09:00:00Z"),
        item("naive", f"{DAY}T09:00:00"),
        {**item("port", f"{DAY}T09:00:00Z"), "remote_port": 70000},
        {**item("tr", f"{DAY}T09:00:00Z"), "transport": "SCTP"},
        {**item("star", f"{DAY}T09:00:00Z"), "contact": "*"},
        {**item("ip", f"{DAY}T09:00:00Z"), "remote_ip": "not-an-ip"},
    ]
    response = api.post(URL, bad, format="json")
    assert response.status_code == 400
    errors = {(error["index"], error["field"]) for error in response.json()["errors"]}
    assert errors == {(1, "timestamp"), (2, "remote_port"), (3, "transport"), (4, "contact"), (5, "remote_ip")}
    assert not RegistrationBinding.objects.exists() and not Account.objects.exists()
    assert not ServerEvent.objects.filter(event_type="status").exists()


def test_get_lists_who_is_online_now(api, operator_client):
    api.post(URL, [*HISTORY, item("old", "2020-01-01T09:00:00Z", username="1999")], format="json")
    body = operator_client.get(URL).json()
    rows = [(row["username"], [contact["remote_port"] for contact in row["contacts"]]) for row in body["results"]]
    assert rows == [("1932", [40112]), ("1933", [5060])]
    contact = body["results"][0]["contacts"][0]
    assert set(contact) >= {"account", "contact", "remote_ip", "transport", "registered_at", "expires_at"}
    assert operator_client.get(URL + "?remote=203.0.113.10:40112/udp").json()["results"][0]["username"] == "1932"
