"""Seed 002: the Audit Log is for web users with Administrator privileges; its CSV keeps what the
list shows; AUTH_OK / AUTH_FAIL follow the seed's syntax; deletions name who deleted and their type."""

import csv
import io

import pytest

from audit.models import AuditRecord, ServerEvent
from audit.services import audit_record
from tests.audit.factories import AccountFactory
from tests.voipadmin.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(db):
    return audit_record(action="Q", table="queue", key={"id": 7})


@pytest.mark.parametrize("who", ["operator_client", "support_client"])
@pytest.mark.parametrize(
    "path",
    [
        "/audit/",
        "/audit/{pk}/",
        "/audit/{pk}/?panel=1",
        "/audit/export.csv",
        "/audit/delete/?action=Q",
        "/api/v1/audit/",
        "/api/v1/audit/{pk}/",
    ],
)
def test_every_audit_path_is_forbidden_to_non_admins(request, record, who, path):
    client = request.getfixturevalue(who)
    assert client.get(path.format(pk=record.pk)).status_code == 403


@pytest.mark.parametrize("path", ["/audit/", "/audit/{pk}/", "/audit/export.csv", "/api/v1/audit/{pk}/"])
def test_administrators_open_every_audit_path(admin_client, record, path):
    assert admin_client.get(path.format(pk=record.pk)).status_code == 200


def test_the_menu_shows_the_audit_log_to_administrators_only(operator_client, admin_user):
    assert 'href="/audit/"' not in operator_client.get("/").content.decode()
    assert 'href="/config-changes/"' in operator_client.get("/").content.decode()  # that one stays
    operator_client.force_login(admin_user)
    assert 'href="/audit/"' in operator_client.get("/").content.decode()


def test_the_csv_keeps_action_by_and_the_resource_as_the_list_shows_them(admin_client, admin_user):
    account = AccountFactory(username="ann", department="Sales")
    account.department = "NOC"
    account.save()
    record = AuditRecord.objects.get(action="U", resource_table="registrations_account")
    page = admin_client.get("/audit/?action=U").content.decode()
    listed = f"{record.actor_kind}:{record.actor_id}:{record.actor_sub_id}:{record.actor_name}"
    assert listed in page and f"registrations_account id={account.pk}" in page
    content = b"".join(
        admin_client.get("/audit/export.csv?action=U&resource_table=registrations_account").streaming_content
    ).decode()
    header, row = list(csv.reader(io.StringIO(content)))
    cells = dict(zip(header, row, strict=True))
    assert cells["Resource"] == f"registrations_account id={account.pk}"
    assert cells["Action by"] == listed
    changes = b"".join(
        admin_client.get("/config-changes/export.csv?action=U&resource_table=registrations_account").streaming_content
    ).decode()
    header, row = list(csv.reader(io.StringIO(changes)))
    assert dict(zip(header, row, strict=True))["Changed by"] == listed


def test_a_resource_without_a_row_is_its_table_alone(admin_client):
    audit_record(action="E", table="jobs")
    content = b"".join(admin_client.get("/audit/export.csv?action=E").streaming_content).decode()
    header, row = list(csv.reader(io.StringIO(content)))
    assert dict(zip(header, row, strict=True))["Resource"] == "jobs"


@pytest.mark.parametrize(
    ("login", "statement"),
    [("operator", "customer:username=operator"), ("ops@example.com", "customer:email=ops@example.com")],
)
def test_auth_statements_follow_the_seed_syntax(client, operator, login, statement):
    operator.username = login
    operator.save()
    client.post("/login/", {"username": login, "password": "wrong"})
    client.post("/login/", {"username": login, "password": PASSWORD})
    fail, ok = AuditRecord.objects.filter(action__in=["AUTH_FAIL", "AUTH_OK"]).order_by("id")
    assert (fail.action, fail.statement) == ("AUTH_FAIL", statement)
    assert (ok.action, ok.statement) == ("AUTH_OK", statement)


def test_a_deletion_event_names_the_administrator_and_their_type(
    admin_client, admin_user, sealed, django_capture_on_commit_callbacks
):
    for n in range(3):
        audit_record(action="Q", table="queue", key={"id": n})
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/audit/delete/?action=Q", {"expected": "3"})
    event = ServerEvent.objects.get(event_type="delete_audit_logs")
    assert (event.username, event.admin_type, event.deleted_count) == ("boss", "security", 3)


def test_a_superuser_deleting_is_a_sysadmin(client, superuser, django_capture_on_commit_callbacks):
    from tests.conftest import login_quietly

    login_quietly(client, superuser)
    ServerEvent.objects.create(event_type="start", description="old start")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/events/delete/?event_type=start", {"expected": "1"})
    event = ServerEvent.objects.get(event_type="delete_events")
    assert (event.username, event.admin_type) == ("root", "sysadmin")
