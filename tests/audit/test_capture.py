"""Every change to an audited model is an audit record with who, what, where and before -> after."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, make_password
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from audit.models import AuditRecord, ServerEvent
from audit.services import status_change
from registrations.models import Account
from tests.audit.factories import AccountFactory
from tests.conftest import login_quietly
from tests.voipadmin.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def account_form(account: Account, **changes) -> dict:
    data = {
        "username": account.username,
        "display_name": account.display_name,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "department": account.department,
        "extension": account.extension,
        "mobile": account.mobile,
        "active": "on" if account.active else "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


def records(table: str, **filters):
    return list(AuditRecord.objects.filter(resource_table=table, **filters).order_by("id"))


def test_admin_save_records_each_changed_parameter(client, superuser):
    account = AccountFactory(username="alice", department="Sales", extension="2001")
    login_quietly(client, superuser)
    response = client.post(
        f"/admin/registrations/account/{account.pk}/change/",
        account_form(account, department="Support", extension="2002"),
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 302
    (record,) = records("registrations_account", action="U")
    assert record.statement == f"registrations_account:id={account.pk}:department=Support,extension=2002"
    assert record.resource_id == f"id={account.pk}"
    assert record.details["changes"] == {"department": ["Sales", "Support"], "extension": ["2001", "2002"]}
    assert record.details["object"] == "account alice"
    assert (record.actor_kind, record.actor_sub_id, record.actor_name, record.ip) == (
        "u",
        superuser.pk,
        "root",
        "192.0.2.7",
    )


def test_saving_unchanged_rows_and_bookkeeping_fields_records_nothing(superuser):
    account = AccountFactory(username="bob")
    before = AuditRecord.objects.count()
    account.save()  # an upsert that changes nothing
    superuser.last_login = superuser.date_joined
    superuser.save(update_fields=["last_login"])
    assert AuditRecord.objects.count() == before


def test_create_delete_and_restore(superuser):
    account = AccountFactory(username="carol", department="Ops")
    (created,) = records("registrations_account", action="A")
    assert created.statement.startswith(f"registrations_account:id={account.pk}:username=carol,")
    assert created.details["changes"]["department"] == [None, "Ops"]
    pk = account.pk
    account.delete()
    (deleted,) = records("registrations_account", action="D")
    assert deleted.statement == f"registrations_account:id={pk}"
    assert deleted.details["changes"]["username"] == ["carol", None]
    again = AccountFactory(username="carol")
    (restored,) = records("registrations_account", action="R")
    assert restored.resource_id == f"id={again.pk}"


def test_activation_and_deactivation_are_server_events_and_status_moves(superuser):
    account = AccountFactory(username="dave", display_name="Dave D")
    account.active = False
    account.save()
    account.active = True
    account.save()
    events = list(
        ServerEvent.objects.filter(username="dave")
        .order_by("id")
        .values_list("event_type", "display_name", "previous_status", "new_status")
    )
    assert events == [
        ("deactivation", "Dave D", None, None),
        ("status", "Dave D", 0, -2),  # no status known before: offline
        ("activation", "Dave D", None, None),
        ("status", "Dave D", -2, 0),
    ]


def test_unchecking_active_in_the_admin_moves_the_last_known_status_to_inactive(client, superuser):
    account = AccountFactory(username="dina", department="Sales")
    status_change(username="dina", previous_status=0, new_status=1)  # registered: online
    login_quietly(client, superuser)
    response = client.post(
        f"/admin/registrations/account/{account.pk}/change/", account_form(account, active=""), REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 302
    deactivation = ServerEvent.objects.get(username="dina", event_type="deactivation")
    status = ServerEvent.objects.filter(username="dina", event_type="status").latest("id")
    assert (status.previous_status, status.new_status, status.ip) == (1, -2, "192.0.2.7")
    assert status.get_new_status_display() == "-2 inactive" and status.description == deactivation.description
    (update,) = records("registrations_account", action="U")
    assert update.details["changes"] == {"active": [True, False]}


def test_password_changes_are_pswd_chng_and_never_show_the_hash(client, superuser):
    user = UserFactory(username="eve")
    seen = set(AuditRecord.objects.values_list("pk", flat=True))
    login_quietly(client, superuser)
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "An0ther long secret!", "password2": "An0ther long secret!", "usable_password": "true"},
    )
    assert response.status_code == 302
    (record,) = [row for row in records("auth_user", action="PSWD_CHNG") if row.pk not in seen]
    assert record.statement == f"i_web_user={user.pk}"
    assert record.details["changes"] == {"password": ["***", "***"]}
    assert user.password.split("$")[-1] not in str(AuditRecord.objects.values_list().filter(resource_table="auth_user"))


def test_a_hash_upgrade_at_login_is_not_a_password_change(client):
    user = UserFactory(username="frank")
    outdated = MD5PasswordHasher().encode(PASSWORD, "short")  # too little salt: login upgrades it
    User.objects.filter(pk=user.pk).update(password=outdated)
    seen = records("auth_user", action="PSWD_CHNG")
    assert client.post("/login/", {"username": "frank", "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.password != outdated and user.check_password(PASSWORD)  # Django did upgrade it
    assert records("auth_user", action="PSWD_CHNG") == seen


@pytest.mark.parametrize(
    "assigned",
    [
        lambda: make_password("Assigned in a shell 1!"),  # the preferred hasher, over a current hash
        lambda: MD5PasswordHasher().encode("From a fixture 2!", "short"),  # an old-style hash
    ],
    ids=["current-hash", "outdated-hash"],
)
def test_a_hash_assigned_directly_is_a_password_change(assigned):
    user = UserFactory(username="gus")
    seen = {row.pk for row in records("auth_user", action="PSWD_CHNG")}
    user.password = assigned()  # a shell or loaddata, not set_password()
    user.save()
    (record,) = [row for row in records("auth_user", action="PSWD_CHNG") if row.pk not in seen]
    assert record.statement == f"i_web_user={user.pk}" and record.details["changes"] == {"password": ["***", "***"]}


def test_an_outdated_hash_replaced_outside_a_login_is_a_password_change():
    user = UserFactory(username="hal")
    User.objects.filter(pk=user.pk).update(password=MD5PasswordHasher().encode(PASSWORD, "short"))
    user.refresh_from_db()
    seen = len(records("auth_user", action="PSWD_CHNG"))
    user.password = make_password("Someone else's 3!")  # looks like an upgrade, but no login checked it
    user.save(update_fields=["password"])
    assert len(records("auth_user", action="PSWD_CHNG")) == seen + 1


def test_group_membership_and_role_permissions_are_recorded(superuser):
    user = UserFactory(username="gina")
    operators = Group.objects.get(name="Operators")
    user.groups.add(operators)
    operators.user_set.remove(user)
    first, second = records("auth_user", action="U")
    assert first.details["changes"] == {"groups": [[], ["Operators"]]}
    assert second.details["changes"] == {"groups": [["Operators"], []]}
    assert first.statement == f"auth_user:id={user.pk}:groups=Operators"


def test_preferences_change_through_the_console(client, operator):
    login_quietly(client, operator)
    response = client.post("/preferences/", {"time_zone": "Europe/Rome", "csv_delimiter": ";", "csv_encoding": "utf-8"})
    assert response.status_code == 302
    (record,) = records("voipadmin_preference", action="A")
    assert record.details["changes"]["time_zone"] == [None, "Europe/Rome"]
    assert record.actor_name == "operator"
    client.post("/preferences/", {"time_zone": "UTC", "csv_delimiter": ";", "csv_encoding": "utf-8"})
    (update,) = records("voipadmin_preference", action="U")
    assert update.details["changes"] == {"time_zone": ["Europe/Rome", "UTC"]}


def test_api_tokens_are_named_by_their_user_never_by_their_key(capsys):
    call_command("create_ingest_token", "pbx-9")
    key = capsys.readouterr().out.strip()
    (record,) = records("authtoken_token", action="A")
    assert key not in record.statement and key not in str(record.details)
    assert record.statement.startswith("authtoken_token:user_id=")
    assert record.actor_kind == "t"  # a management command acts as the system


def test_filtered_delete_request_is_recorded(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/events/delete/?event_type=login", {"expected": "0"})
    (job,) = records("voipadmin_deletionjob", action="A")
    assert "report=events" in job.statement and "query=event_type=login" in job.statement
    (deletion,) = records("audit_serverevent", action="D")
    assert deletion.details["deleted"] == 1 and deletion.actor_name == "boss"  # boss's own login event


def test_logins_are_auth_ok_and_auth_fail(client, operator):
    client.post("/login/", {"username": "operator", "password": "wrong"}, REMOTE_ADDR="198.51.100.9")
    client.post("/login/", {"username": "operator", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9")
    fail, ok = AuditRecord.objects.filter(action__in=["AUTH_FAIL", "AUTH_OK"]).order_by("id")
    assert (fail.action, fail.statement, fail.ip, fail.actor) == (
        "AUTH_FAIL",
        "customer:username=operator",
        "198.51.100.9",
        "u:0:0:operator",
    )
    assert (ok.action, ok.resource_table, ok.resource_id, ok.actor) == (
        "AUTH_OK",
        "auth_user",
        f"id={operator.pk}",
        f"u:0:{operator.pk}:operator",
    )
