"""Audit Log, Server Events and Configuration Changes: filters, hints, detail panels, export, delete."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditRecord, ServerEvent
from audit.services import audit_record
from audit.services.chain import chain_verify
from tests.audit.factories import AccountFactory, ServerEventFactory
from tests.conferences.factories import EndpointFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 10, 9, tzinfo=datetime.UTC)


def shown(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-pk="(\d+)"', response.content.decode())]


def test_audit_log_shows_codes_with_their_hint_and_filters(admin_client):
    AccountFactory(username="ann")
    account = AccountFactory(username="ben")
    account.department = "NOC"
    account.save()
    page = admin_client.get("/audit/?action=U&resource_table=registrations").content.decode()
    hint = "Update a record — table_name:key1=val1[,key2=val2...]:field1=newval1"
    assert f'<td class="enum enum-U" title="{hint}" data-label="Action">U</td>' in page
    assert f"registrations_account id={account.pk}" in page
    assert f"registrations_account:id={account.pk}:department=NOC" in page
    rows = shown(admin_client.get("/audit/?action=A&action=U&resource_table=registrations_account"))
    assert len(rows) == 3
    assert shown(admin_client.get("/audit/?actor_name=nobody")) == []


def test_audit_detail_panel_has_the_before_after_table(admin_client):
    account = AccountFactory(username="cy", department="Sales")
    account.department = "Support"
    account.save()
    record = AuditRecord.objects.get(action="U", resource_table="registrations_account")
    panel = admin_client.get(f"/audit/{record.pk}/?panel=1").content.decode()
    assert '<tr data-parameter="department"><th scope="row">department</th><td class="before">Sales</td>' in panel
    assert (
        "<strong>U</strong>: Update a record — <code>table_name:key1=val1[,key2=val2...]:field1=newval1</code>" in panel
    )


def test_audit_export_is_the_filtered_selection(admin_client):
    audit_record(action="E", table="t1", key={"id": 1})
    audit_record(action="Q", table="t2", key={"id": 2})
    content = b"".join(admin_client.get("/audit/export.csv?action=Q").streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert [row[2] for row in rows[1:]] == ["Q"] and rows[1][4] == "t2:id=2"


def test_config_changes_show_parameters_before_and_after(operator_client):
    account = AccountFactory(username="dee", department="Sales", extension="100")
    account.department, account.extension = "NOC", "200"
    account.save()
    audit_record(action="AUTH_OK", table="auth_user", key={"id": 1})  # not a configuration change
    page = operator_client.get("/config-changes/?action=U").content.decode()
    assert "department: Sales → NOC; extension: 100 → 200" in page
    assert "account dee" in page
    record = AuditRecord.objects.get(action="U", resource_table="registrations_account")
    assert shown(operator_client.get("/config-changes/?parameter=extension&action=U")) == [record.pk]
    assert shown(operator_client.get("/config-changes/?parameter=mobile")) == []
    assert not AuditRecord.objects.filter(action="AUTH_OK").filter(
        pk__in=shown(operator_client.get("/config-changes/"))
    )
    hint = "Update a record — table_name:key1=val1[,key2=val2...]:field1=newval1"
    assert f'<td class="enum enum-U" title="{hint}" data-label="Change">U (update)</td>' in page
    panel = operator_client.get(f"/config-changes/{record.pk}/?panel=1").content.decode()
    assert '<td class="before">100</td><td class="after">200</td>' in panel
    assert "data-action>U (update)</span>" in panel
    assert 'title="Update a record — table_name:key1=val1[,key2=val2...]:field1=newval1"' in panel


def test_events_multi_select_and_status_meaning(operator_client):
    login = ServerEventFactory(time=T0, event_type="login", username="al")
    status = ServerEventFactory(
        time=T0 + datetime.timedelta(minutes=1), event_type="status", username="al", previous_status=1, new_status=5
    )
    ServerEventFactory(time=T0 + datetime.timedelta(minutes=2), event_type="start", username="")
    assert shown(operator_client.get("/events/?event_type=login&event_type=status&username=al")) == [
        status.pk,
        login.pk,
    ]
    page = operator_client.get("/events/?event_type=status").content.decode()
    assert 'title="status: user status change" data-label="Event">status</td>' in page
    assert 'href="/events/?username=al"' in page
    assert 'title="1 online → 5 connected as conference owner" data-label="Status">1 online → 5 owner</td>' in page
    panel = operator_client.get(f"/events/{status.pk}/?panel=1").content.decode()
    assert "1 online</strong> → <strong>5 connected as conference owner" in panel
    assert "data-profile" not in panel  # no account called "al"


def test_events_link_to_the_account_profile_when_there_is_one(operator_client):
    account = AccountFactory(username="bea")
    event = ServerEventFactory(event_type="deactivation", username="bea")
    panel = operator_client.get(f"/events/{event.pk}/?panel=1").content.decode()
    assert f'href="/accounts/{account.pk}/" data-profile' in panel


def test_every_status_code_is_shown_with_its_meaning(operator_client):
    moves = [(-2, 0), (0, 1), (1, 2), (2, 5)]
    for minute, (before, after) in enumerate(moves):
        ServerEventFactory(
            time=T0 + datetime.timedelta(minutes=minute), event_type="status", previous_status=before, new_status=after
        )
    page = operator_client.get("/events/?o=time").content.decode()
    shown_moves = re.findall(r'title="[^"]*" data-label="Status">(-?\d \w+ → -?\d \w+)</td>', page)
    assert shown_moves == ["-2 inactive → 0 offline", "0 offline → 1 online", "1 online → 2 busy", "2 busy → 5 owner"]


def test_the_user_column_links_the_account_else_the_history_in_one_query(operator_client):
    bea = AccountFactory(username="bea")
    ServerEventFactory(username="bea")
    ServerEventFactory(username="cid")
    operator_client.get("/events/")  # the first visit stores the user's preferences
    with CaptureQueriesContext(connection) as two_rows:
        page = operator_client.get("/events/").content.decode()
    assert f'<a href="/accounts/{bea.pk}/">{bea.display_name} (bea)</a>' in page
    assert '<a href="/events/?username=cid">cid</a>' in page
    for n in range(5):
        ServerEventFactory(username=f"user{n}")
        AccountFactory(username=f"user{n}")
    with CaptureQueriesContext(connection) as seven_rows:
        operator_client.get("/events/")
    assert len(seven_rows) == len(two_rows)  # no query per row


def test_the_history_of_bob_does_not_list_bobby(operator_client):
    bob = ServerEventFactory(username="bob")
    ServerEventFactory(username="bobby")
    page = operator_client.get("/events/").content.decode()
    assert '<a href="/events/?username=bob">bob</a>' in page
    assert shown(operator_client.get("/events/?username=bob")) == [bob.pk]
    assert shown(operator_client.get("/events/?username=BOB")) == [bob.pk]
    assert len(shown(operator_client.get("/events/?q=bob"))) == 2


def test_event_detail_links_the_endpoint_and_reads_users_and_details(operator_client):
    endpoint = EndpointFactory(endpoint_id="ep-1")
    known = ServerEventFactory(
        event_type="pro_license_limit", endpoint_id="ep-1", users=["anna", "bob"], details={"reason": "no licence"}
    )
    panel = operator_client.get(f"/events/{known.pk}/?panel=1").content.decode()
    assert f'<dd class=""><a href="/endpoints/{endpoint.pk}/" data-endpoint>ep-1</a></dd>' in panel
    assert '<dt>Users</dt><dd class="">anna, bob</dd>' in panel
    assert '<dl class="fields" data-details><dt>reason</dt><dd>no licence</dd></dl>' in panel
    assert "[&quot;anna&quot;" not in panel and "{&quot;reason" not in panel

    unknown = ServerEventFactory(endpoint_id="ep-1&gone", users=[])
    page = operator_client.get(f"/events/{unknown.pk}/").content.decode()
    assert '<a href="/endpoints/?endpoint_id=ep-1%26gone" data-endpoint>ep-1&amp;gone</a>' in page
    assert "data-details" not in page


def test_deletion_event_details_are_a_key_value_list(admin_client, django_capture_on_commit_callbacks):
    ServerEventFactory(event_type="start", username="")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/events/delete/?event_type=start", {"expected": "1"})
    event = ServerEvent.objects.get(event_type="delete_events")
    panel = admin_client.get(f"/events/{event.pk}/?panel=1").content.decode()
    assert "<dt>filter</dt><dd>event_type=start</dd>" in panel
    assert "<dt>protected</dt><dd>0</dd>" in panel


def test_login_and_logout_are_server_events(client, operator):
    from tests.voipadmin.factories import PASSWORD

    client.post(
        "/login/", {"username": "operator", "password": PASSWORD}, HTTP_USER_AGENT="UA/1", REMOTE_ADDR="192.0.2.1"
    )
    client.post("/logout/", REMOTE_ADDR="192.0.2.1")
    login, logout = ServerEvent.objects.order_by("id")
    assert (login.event_type, login.username, login.ip, login.application, login.auth_method, login.user_agent) == (
        "login",
        "operator",
        "192.0.2.1",
        "web console",
        "password",
        "UA/1",
    )
    assert (logout.event_type, logout.username) == ("logout", "operator")


def test_filtered_delete_of_audit_rows_over_http(admin_client, sealed, django_capture_on_commit_callbacks):
    for n in range(5):
        audit_record(action="Q", table="queue", key={"id": n})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/audit/delete/?action=Q", {"expected": "5"})
    assert response.status_code == 302
    assert not AuditRecord.objects.filter(action="Q").exists()
    anchor = AuditRecord.objects.get(action="D", resource_table="audit_auditrecord")
    assert anchor.details["deleted"] == 5 and anchor.details["chain"]["rows"] == 5
    assert ServerEvent.objects.get(event_type="delete_audit_logs").deleted_count == 5
    assert chain_verify().ok


def test_config_changes_delete_writes_delete_logs(admin_client, sealed, django_capture_on_commit_callbacks):
    AccountFactory(username="gone")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/config-changes/delete/?resource_table=registrations_account", {"expected": "1"})
    assert ServerEvent.objects.get(event_type="delete_logs").deleted_count == 1
    assert chain_verify().ok
