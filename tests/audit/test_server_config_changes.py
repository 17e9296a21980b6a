"""POST /api/v1/config-changes/: the VoIP server's own settings changes (seed 001), kept once each
and shown in Configuration Changes like the console's own changes."""

import pytest

from audit.models import AuditRecord, PushedConfigChange

pytestmark = pytest.mark.django_db

URL = "/api/v1/config-changes/"


def change(n: int, **fields) -> dict:
    return {
        "event_id": f"cfg-{n}",
        "timestamp": f"2026-11-20T10:0{n}:00+01:00",
        "section": "conferences",
        "object": "room-7",
        "parameter": "topic",
        "before": "Weekly sync",
        "after": "Design review",
        "who": "sysadmin@video",
        **fields,
    }


def test_a_pushed_change_is_shown_with_its_parameter_before_and_after(ingest_client, operator_client):
    response = ingest_client.post(URL, [change(1)], format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"received": 1, "created": 1, "unchanged": 0}
    record = AuditRecord.objects.get(resource_table="server_conferences")
    assert (record.action, record.resource_id, record.actor) == ("U", "object=room-7", "u:0:0:sysadmin@video")
    assert record.statement == "server_conferences:object=room-7:topic=Design review"
    assert record.time.isoformat() == "2026-11-20T09:01:00+00:00"
    assert record.details["api_client"] == "ingest.pbx-tests"  # the token that pushed it
    page = operator_client.get("/config-changes/").content.decode()
    assert "list of conferences room-7" in page
    assert "topic: Weekly sync → Design review" in page
    panel = operator_client.get(f"/config-changes/{record.pk}/?panel=1").content.decode()
    assert 'data-parameter="topic"' in panel and "Weekly sync" in panel and "Design review" in panel
    listed = operator_client.get(f"{URL}?resource_table=server_conferences").json()["results"]
    assert listed[0]["changes"] == [{"parameter": "topic", "before": "Weekly sync", "after": "Design review"}]


def test_one_change_of_several_parameters(ingest_client, operator_client):
    item = change(1)
    del item["parameter"], item["before"], item["after"]
    item["changes"] = [
        {"parameter": "topic", "before": "Weekly sync", "after": "Design review"},
        {"parameter": "schedule", "before": "Mon 09:00", "after": "Tue 10:00"},
        {"parameter": "registration", "before": False, "after": True},
    ]
    assert ingest_client.post(URL, item, format="json").status_code == 201  # one object, not a list
    record = AuditRecord.objects.get(resource_table="server_conferences")
    assert record.details["changes"] == {
        "topic": ["Weekly sync", "Design review"],
        "schedule": ["Mon 09:00", "Tue 10:00"],
        "registration": [False, True],
    }
    page = operator_client.get("/config-changes/?parameter=schedule").content.decode()
    assert "schedule: Mon 09:00 → Tue 10:00" in page


def test_posting_again_changes_nothing(ingest_client):
    batch = [change(1), change(2, section="ldap", object="dc1", parameter="port", before=389, after=636)]
    ingest_client.post(URL, batch, format="json")
    again = ingest_client.post(URL, [*batch, batch[0]], format="json")
    assert again.json() == {"received": 3, "created": 0, "unchanged": 3}
    assert AuditRecord.objects.filter(resource_table__startswith="server_").count() == 2
    assert PushedConfigChange.objects.filter(record__isnull=False).count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"section": "kitchen"}, "section"),
        ({"parameter": ""}, "parameter"),
        ({"timestamp": "2026-11-20T10:00:00"}, "timestamp"),
        ({"action": "PSWD_CHNG"}, "action"),
        ({"event_id": ""}, "event_id"),
    ],
)
def test_a_bad_item_rejects_the_batch_naming_index_and_field(ingest_client, fields, field):
    response = ingest_client.post(URL, [change(1), change(2, **fields)], format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["index"], error["field"]) == (1, field)
    assert not AuditRecord.objects.filter(resource_table__startswith="server_").exists()
    assert not PushedConfigChange.objects.exists()


def test_pushing_needs_the_ingest_role(operator_client, admin_client):
    assert operator_client.post(URL, [change(1)], content_type="application/json").status_code == 403
    assert admin_client.post(URL, [change(1)], content_type="application/json").status_code == 403
    assert not PushedConfigChange.objects.exists()


def test_the_settings_table_filter_lists_the_server_sections(operator_client):
    page = operator_client.get("/config-changes/").content.decode()
    for table in ("server_settings", "server_conferences", "server_pro_licenses", "server_ldap", "server_surveys"):
        assert f'value="{table}"' in page


def test_the_schema_documents_the_post(operator_client):
    schema = operator_client.get("/api/schema/?format=json").json()
    post = schema["paths"]["/api/v1/config-changes/"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    name = body.get("$ref", body.get("items", {}).get("$ref", "")).rsplit("/", 1)[-1]
    if not name:
        name = next(ref["$ref"] for ref in body.get("oneOf", []) if "$ref" in ref).rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][name]["properties"]
    assert {"event_id", "timestamp", "section", "object", "parameter", "before", "after", "who"} <= set(properties)
