"""The API paths: a token client's changes are audited as `t:0:0:<its IP>`; servers push their own events."""

import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditRecord, ServerEvent
from tests.audit.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    call_command("create_ingest_token", "pbx-audit", stdout=io.StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user__username='ingest.pbx-audit').key}")
    return client


def test_an_account_change_through_the_api_is_audited(api):
    AccountFactory(username="zoe", department="Sales", extension="2001", mobile="")
    response = api.post(
        "/api/v1/accounts/",
        [{"username": "zoe", "department": "NOC", "extension": "2002", "mobile": "+39 333 1"}, {"username": "new1"}],
        format="json",
        REMOTE_ADDR="192.0.2.50",
    )
    assert response.status_code == 201
    update = AuditRecord.objects.get(resource_table="registrations_account", action="U")
    assert update.details["changes"] == {
        "department": ["Sales", "NOC"],
        "extension": ["2001", "2002"],
        "mobile": ["", "+39 333 1"],
    }
    assert update.statement.endswith(":department=NOC,extension=2002,mobile=+39 333 1")
    assert update.actor == "t:0:0:192.0.2.50" and update.ip == "192.0.2.50"
    assert update.details["api_client"] == "ingest.pbx-audit"  # who pushed is kept beside the address
    created = AuditRecord.objects.get(resource_table="registrations_account", action="A", details__natural_key="new1")
    assert (created.actor, created.details["api_client"]) == ("t:0:0:192.0.2.50", "ingest.pbx-audit")
    # the same batch again changes nothing, so it records nothing
    api.post("/api/v1/accounts/", [{"username": "zoe", "department": "NOC"}], format="json")
    assert AuditRecord.objects.filter(resource_table="registrations_account").count() == 3  # A zoe, U zoe, A new1


def test_the_detail_panel_names_the_token_behind_a_trusted_actor(api, admin_client):
    api.post("/api/v1/accounts/", [{"username": "kim"}], format="json", REMOTE_ADDR="192.0.2.51")
    record = AuditRecord.objects.get(resource_table="registrations_account", action="A")
    panel = admin_client.get(f"/audit/{record.pk}/?panel=1").content.decode()
    assert "<code>t:0:0:192.0.2.51</code> (API token of <strong data-api-client>ingest.pbx-audit</strong>)" in panel


EVENTS = [
    {"event_id": "srv-1", "timestamp": "2026-11-20T10:00:00+01:00", "event": "start", "description": "server start"},
    {
        "event_id": "srv-2",
        "timestamp": "2026-11-20T10:05:00+01:00",
        "event": "status",
        "username": "alice",
        "previous_status": 1,
        "new_status": 2,
        "endpoint_id": "ep-77",
        "application": "TrueConf for Windows",
    },
    {
        "event_id": "srv-4",
        "timestamp": "2026-11-20T10:07:00+01:00",
        "event": "status",
        "username": "bob",
        "previous_status": -2,
        "new_status": 0,
        "description": "account activated",
    },
    {
        "event_id": "srv-3",
        "timestamp": "2026-11-20T10:06:00+01:00",
        "event": "login",
        "success": False,
        "entered_login": "alcie",
        "ip": "198.51.100.5",
        "auth_method": "NTLM",
    },
]


def test_server_events_push_is_idempotent(api, operator_client):
    first = api.post("/api/v1/server-events/", EVENTS, format="json")
    assert first.status_code == 201 and first.json() == {"received": 4, "created": 4, "unchanged": 0}
    again = api.post("/api/v1/server-events/", EVENTS, format="json")
    assert again.json() == {"received": 4, "created": 0, "unchanged": 4}
    status = ServerEvent.objects.get(event_id="srv-2")
    assert (status.previous_status, status.new_status, status.endpoint_id) == (1, 2, "ep-77")
    assert status.time.isoformat() == "2026-11-20T09:05:00+00:00"
    inactive = ServerEvent.objects.get(event_id="srv-4")
    assert (inactive.get_previous_status_display(), inactive.get_new_status_display()) == ("-2 inactive", "0 offline")
    assert ServerEvent.objects.get(event_id="srv-3").success is False
    listed = operator_client.get("/api/v1/server-events/?event_type=status").json()["results"]
    assert sorted(item["event_id"] for item in listed) == ["srv-2", "srv-4"]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"event": "status", "previous_status": 1, "new_status": 3}, "new_status"),
        ({"event": "status", "new_status": 1}, "previous_status"),
        ({"event": "reboot"}, "event"),
        ({"event": "delete_events"}, "deleted_count"),
        ({"event": "login", "ip": "not-an-ip"}, "ip"),
    ],
)
def test_bad_server_events_are_refused_naming_the_field(api, item, field):
    body = [EVENTS[0], {"event_id": "bad", "timestamp": "2026-11-20T10:00:00Z", **item}]
    response = api.post("/api/v1/server-events/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1 and response.json()["errors"][0]["field"] == field
    assert not ServerEvent.objects.filter(event_id__startswith="srv").exists()


def test_audit_and_config_changes_are_readable_through_the_api(api, operator_client, admin_user):
    AccountFactory(username="yan")
    assert operator_client.get("/api/v1/audit/").status_code == 403  # the audit log is for Administrators
    operator_client.force_login(admin_user)
    audit = operator_client.get("/api/v1/audit/?action=A&resource_table=registrations").json()["results"]
    assert audit[0]["actor"].startswith("t:0:") and audit[0]["statement"].startswith("registrations_account:")
    changes = operator_client.get("/api/v1/config-changes/?resource_table=registrations_account").json()["results"]
    assert changes[0]["object"] == "account yan"
    assert {"parameter": "username", "before": None, "after": "yan"} in changes[0]["changes"]
