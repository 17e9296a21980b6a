"""POST /api/v1/registrations/snapshot/: a registrar's live contacts; the rest of its bindings resync."""

import pytest

from audit.models import ServerEvent
from registrations.models import RegistrationBinding
from tests.registrations.test_registrations_api import DAY, URL, item

pytestmark = pytest.mark.django_db

SNAPSHOT = URL + "snapshot/"
REGISTRAR = "kamailio@pbx1"


def contact(username: str, port: int = 5060, *, expires: int = 1800, **extra) -> dict:
    return {
        "username": username,
        "contact": f"sip:{username}@192.168.1.20:5060",
        "remote_ip": "203.0.113.10",
        "remote_port": port,
        "transport": "udp",
        "expires": expires,
        "user_agent": "Yealink SIP-T46U",
        **extra,
    }


def snapshot(contacts: list[dict], taken_at: str = f"{DAY}T10:00:00Z", registrar: str = REGISTRAR) -> dict:
    return {"registrar": registrar, "taken_at": taken_at, "contacts": contacts}


@pytest.fixture
def fed(ingest_client):
    """Four bindings of the registrar, one of another, one registered after the snapshot's time."""
    body = [
        item("kept", f"{DAY}T09:00:00Z", expires=7200, username="1001", registrar=REGISTRAR),
        item("ghost", f"{DAY}T09:00:00Z", expires=7200, username="1002", registrar=REGISTRAR),
        item("moved", f"{DAY}T09:00:00Z", expires=7200, username="1003", registrar=REGISTRAR),
        item("other", f"{DAY}T09:00:00Z", expires=7200, username="1004", registrar="kamailio@pbx2"),
        item("later", f"{DAY}T10:00:05Z", username="1005", registrar=REGISTRAR),
    ]
    assert ingest_client.post(URL, body, format="json").status_code == 201
    return ingest_client


def state() -> dict[str, tuple]:
    return {
        row[0]: row[1:]
        for row in RegistrationBinding.objects.values_list("event_id", "username", "removed_reason", "remote_port")
    }


def test_missing_bindings_end_with_resync_missed_contacts_open_and_a_replay_changes_nothing(fed):
    body = snapshot([contact("1001", expires=7200), contact("1003", port=40112), contact("1006")])
    response = fed.post(SNAPSHOT, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"ended": 1, "opened": 2, "unchanged": 1}
    rows = state()
    assert rows["ghost"][1] == "resync" and rows["moved"][1] == "moved"
    assert rows["kept"][1] == rows["other"][1] == rows["later"][1] == ""
    opened = RegistrationBinding.objects.filter(event_id__startswith="snapshot-").order_by("username")
    assert [(b.username, b.remote_port, b.registrar) for b in opened] == [
        ("1003", 40112, REGISTRAR),
        ("1006", 5060, REGISTRAR),
    ]
    assert opened[1].registered_at.isoformat() == f"{DAY}T10:00:00+00:00"
    assert opened[1].expires_at.isoformat() == f"{DAY}T10:30:00+00:00"
    ghost = RegistrationBinding.objects.get(event_id="ghost")
    assert ghost.removed_at.isoformat() == f"{DAY}T10:00:00+00:00"
    kept = RegistrationBinding.objects.get(event_id="kept")
    assert kept.expires_at.isoformat() == f"{DAY}T12:00:00+00:00"  # a later expiry extends it
    assert kept.refreshed_at.isoformat() == f"{DAY}T09:00:00+00:00"  # no REGISTER came

    again = fed.post(SNAPSHOT, body, format="json")
    assert again.json() == {"ended": 0, "opened": 0, "unchanged": 3}
    assert state() == rows


def test_an_empty_snapshot_ends_every_binding_of_its_registrar_only(fed):
    response = fed.post(SNAPSHOT, snapshot([]), format="json")
    assert response.json() == {"ended": 3, "opened": 0, "unchanged": 0}
    assert {key for key, row in state().items() if row[1] == "resync"} == {"kept", "ghost", "moved"}


def test_bad_snapshots_are_refused_naming_the_field(ingest_client):
    cases = [
        ({"taken_at": f"{DAY}T10:00:00Z", "contacts": []}, "registrar"),
        (snapshot([], taken_at=f"{DAY}T10:00:00"), "taken_at"),
        (snapshot([contact("1001", expires=0)]), "contacts[0].expires"),
        (snapshot([contact("1001"), {**contact("1002"), "transport": "SCTP"}]), "contacts[1].transport"),
        (snapshot([{**contact("1001"), "contact": "*"}]), "contacts[0].contact"),
        ({"registrar": REGISTRAR, "taken_at": f"{DAY}T10:00:00Z"}, "contacts"),
    ]
    for body, field in cases:
        response = ingest_client.post(SNAPSHOT, body, format="json")
        assert response.status_code == 400, body
        assert field in {error["field"] for error in response.json()["errors"]}, response.json()
    assert not RegistrationBinding.objects.exists()


def test_only_the_ingest_role_posts_a_snapshot(operator_client):
    assert operator_client.post(SNAPSHOT, snapshot([]), content_type="application/json").status_code == 403


def test_status_events_follow_the_resync(ingest_client):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    opened = (now - datetime.timedelta(minutes=10)).isoformat()
    ingest_client.post(URL, [item("a", opened, username="1001", registrar=REGISTRAR)], format="json")
    assert ServerEvent.objects.filter(event_type="status", new_status=1).count() == 1
    taken_at = (now - datetime.timedelta(minutes=1)).isoformat()
    response = ingest_client.post(SNAPSHOT, snapshot([], taken_at=taken_at), format="json")
    assert response.json()["ended"] == 1
    offline = ServerEvent.objects.get(event_type="status", new_status=0)
    assert offline.username == "1001" and "resync" in offline.description


def test_the_schema_documents_the_snapshot_and_the_new_fields(admin_client):
    response = admin_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].endswith("json") else None
    text = response.content.decode()
    assert "/api/v1/registrations/snapshot/" in text
    for name in ("SnapshotContact", "SnapshotResult", "taken_at", "registrar", "removed_reason", "sip_code"):
        assert name in text, name
    if schema is not None:
        post = schema["paths"]["/api/v1/registrations/snapshot/"]["post"]
        assert "200" in post["responses"]
        reasons = schema["components"]["schemas"]["ReasonEnum"]["enum"]
        assert set(reasons) == {"unregister", "expired"}
        assert "registrar" in schema["components"]["schemas"]["RegistrationIngest"]["properties"]


def test_a_registrar_with_thousands_of_contacts_resyncs_in_one_snapshot(ingest_client):
    """8,000 contacts are about 3 MB of JSON, past Django's 2.5 MB default body limit."""
    contacts = [contact(f"u{n:05d}", port=10000 + n) for n in range(8000)]
    response = ingest_client.post(SNAPSHOT, snapshot(contacts), content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["opened"] == 8000
    assert RegistrationBinding.objects.filter(removed_at__isnull=True).count() == 8000
