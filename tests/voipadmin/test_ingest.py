"""The shared ingest conventions, through a real endpoint: batches, idempotency, all-or-nothing."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.testapp.models import Probe

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    from django.core.management import call_command

    call_command("create_ingest_token", "pbx-test", stdout=__import__("io").StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user__username='ingest.pbx-test').key}")
    return client


ITEMS = [
    {"event_id": "e1", "time": "2026-11-20T10:00:00+01:00", "kind": "PING", "note": "first"},
    {"event_id": "e2", "time": "2026-11-20T10:00:01+01:00", "kind": "PONG", "value": 3},
]


def test_batch_is_stored_once_however_often_it_is_posted(api):
    first = api.post("/api/v1/probes/", ITEMS, format="json")
    assert first.status_code == 201
    assert first.json() == {"received": 2, "created": 2, "unchanged": 0}
    again = api.post("/api/v1/probes/", ITEMS, format="json")
    assert again.json() == {"received": 2, "created": 0, "unchanged": 2}
    assert Probe.objects.count() == 2
    stored = Probe.objects.get(event_id="e1")
    assert stored.time.isoformat() == "2026-11-20T09:00:00+00:00"  # UTC


def test_one_object_is_a_batch_of_one(api):
    response = api.post("/api/v1/probes/", ITEMS[0], format="json")
    assert response.json()["created"] == 1


def test_a_bad_item_rejects_the_batch_naming_index_and_field(api):
    bad = [
        ITEMS[0],
        {"event_id": "e3", "time": "not a time", "kind": "PING"},
        {"event_id": "e4", "kind": "NOPE", "time": "2026-11-20T10:00:00Z"},
    ]
    response = api.post("/api/v1/probes/", bad, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {k: errors[0][k] for k in ("index", "field")} == {"index": 1, "field": "time"}
    assert {(error["index"], error["field"]) for error in errors} == {(1, "time"), (2, "kind")}
    assert Probe.objects.count() == 0


@pytest.mark.parametrize("payload", ["just text", 42, [1, 2], [None]])
def test_malformed_bodies_are_400s(api, payload):
    response = api.post("/api/v1/probes/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_unparsable_json_is_a_400(api):
    response = api.post("/api/v1/probes/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_oversized_batches_are_refused(api, monkeypatch):
    monkeypatch.setattr("voipadmin.api.ingest.MAX_BATCH_ITEMS", 3)
    response = api.post("/api/v1/probes/", [ITEMS[0]] * 4, format="json")
    assert response.status_code == 400 and "at most 3" in response.json()["errors"][0]["message"]


def test_tokens_and_rights(client, operator):
    anonymous = APIClient()
    assert anonymous.post("/api/v1/probes/", ITEMS, format="json").status_code == 401
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    assert wrong.post("/api/v1/probes/", ITEMS, format="json").status_code == 401
    reader = APIClient()
    reader.force_authenticate(operator)
    assert reader.post("/api/v1/probes/", ITEMS, format="json").status_code == 403


def test_get_lists_with_the_reports_filters_and_keyset_links(api, operator_client):
    api.post(
        "/api/v1/probes/",
        [
            {"event_id": f"g{n}", "time": f"2026-11-20T10:{n:02d}:00Z", "kind": "PING" if n % 2 else "PONG"}
            for n in range(60)
        ],
        format="json",
    )
    page = operator_client.get("/api/v1/probes/?kind=PING").json()
    assert len(page["results"]) == 30 and page["next"] is None
    page = operator_client.get("/api/v1/probes/?o=time").json()
    assert page["results"][0]["event_id"] == "g0" and page["next"] and page["previous"] is None
    following = operator_client.get(page["next"]).json()
    assert following["results"][0]["event_id"] == "g50"
    bad = operator_client.get("/api/v1/probes/?kind=PANG")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"


def test_actor_of_an_ingest_is_the_trusted_client(api):
    from audit.models import AuditRecord
    from audit.services import audit_record
    from voipadmin.api import ingest

    seen = {}

    def store(*, items):
        seen["record"] = audit_record(action="A", table="testapp_probe", key={"batch": len(items)})
        return 0

    from tests.testapp.reports import ProbeResource

    original = ProbeResource.ingest
    ProbeResource.ingest = staticmethod(store)
    try:
        api.post("/api/v1/probes/", ITEMS, format="json")
    finally:
        ProbeResource.ingest = original
    record = AuditRecord.objects.get(pk=seen["record"].pk)
    assert (record.actor, record.details["api_client"]) == ("t:0:0:127.0.0.1", "ingest.pbx-test")
    assert ingest.IngestResult(2, 1).as_dict() == {"received": 2, "created": 1, "unchanged": 1}


def test_a_report_without_ingest_refuses_post(api):
    response = api.post("/api/v1/web-sessions/", [{"principal": "x"}], format="json")
    assert response.status_code == 405
