"""After N failed logins a login is locked for a cool-off time or until an administrator unlocks it."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditRecord, LoginLockout, ServerEvent, WebAccess
from audit.services.lockout import lockout_claim, lockout_failed, lockouts_expire
from tests.conftest import login_quietly
from tests.voipadmin.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.LOGIN_LOCKOUT_THRESHOLD = 3
    settings.LOGIN_LOCKOUT_COOLOFF = 600


def attempt(
    client,
    password="wrong",  # noqa: S107 - a wrong password on purpose
    path="/login/",
    username="operator",
    **extra,
):
    return client.post(path, {"username": username, "password": password, "next": "/"}, **extra)


def test_n_failures_lock_even_the_right_password(client, operator):
    for _ in range(3):
        assert b"correct username and password" in attempt(client).content
    response = attempt(client, PASSWORD)
    assert response.status_code == 200  # not logged in
    assert b"This login is locked after too many failed attempts" in response.content
    outcomes = list(WebAccess.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["login_failed"] * 3 + ["locked"]
    lock = ServerEvent.objects.get(event_type="lock")
    assert lock.username == "operator" and "3 failed logins" in lock.description
    assert AuditRecord.objects.filter(action="U", resource_table="audit_loginlockout").count() == 1
    assert LoginLockout.objects.get(username="operator").is_locked


def test_a_success_before_the_threshold_starts_the_count_again(client, operator):
    attempt(client)
    attempt(client)
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    attempt(client)
    attempt(client)
    assert attempt(client, PASSWORD).status_code == 302
    assert not ServerEvent.objects.filter(event_type="lock").exists()


def test_spoofed_forwarded_for_does_not_reset_the_count(client, operator, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(3):
        attempt(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}", REMOTE_ADDR="198.51.100.1")
    response = attempt(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99", REMOTE_ADDR="198.51.100.1")
    assert b"locked" in response.content
    assert set(WebAccess.objects.values_list("ip", flat=True)) == {"198.51.100.1"}


def test_case_of_the_login_does_not_buy_more_attempts(client, operator):
    for name in ("operator", "OPERATOR", "Operator"):
        attempt(client, username=name)
    assert b"locked" in attempt(client, PASSWORD).content


def test_admin_login_shares_the_count_and_the_message(client, superuser):
    for _ in range(2):
        attempt(client, path="/admin/login/", username="root")
    attempt(client, username="root")
    response = attempt(client, PASSWORD, path="/admin/login/", username="root")
    assert b"This login is locked" in response.content


def test_admin_unlock_is_recorded(client, operator, superuser):
    for _ in range(3):
        attempt(client)
    login_quietly(client, superuser)
    lock = LoginLockout.objects.get(username="operator")
    response = client.post(
        "/admin/audit/loginlockout/", {"action": "unlock_logins", "_selected_action": [lock.pk]}, follow=True
    )
    assert b"1 login(s) unlocked" in response.content
    unlock = ServerEvent.objects.get(event_type="unlock")
    assert unlock.username == "operator" and unlock.description == "unlocked by an administrator"
    record = AuditRecord.objects.filter(resource_table="audit_loginlockout").latest("id")
    assert record.actor_name == "root" and record.details["reason"] == "unlocked by an administrator"
    client.logout()
    assert attempt(client, PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off_and_the_unlock_is_recorded(client, operator):
    for _ in range(3):
        attempt(client)
    LoginLockout.objects.filter(username="operator").update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert attempt(client, PASSWORD).status_code == 302
    unlock = ServerEvent.objects.get(event_type="unlock")
    assert unlock.description == "the lock timed out"


def test_the_beat_sweep_records_timed_out_locks_once(client, operator):
    for _ in range(3):
        attempt(client)
    later = timezone.now() + datetime.timedelta(seconds=601)
    assert lockouts_expire(now=later) == 1
    assert lockouts_expire(now=later) == 0
    assert ServerEvent.objects.filter(event_type="unlock").count() == 1
    assert attempt(client, PASSWORD).status_code == 302


def test_a_claim_beyond_the_threshold_locks_when_the_threshold_worker_died(operator):
    for _ in range(3):
        dead = lockout_claim(username="operator")  # the third one's worker dies before lockout_failed
    assert not dead.refused and LoginLockout.objects.get(username="operator").locked_until is None
    beyond = lockout_claim(username="operator")
    assert beyond.refused and beyond.locked_until is not None
    row = LoginLockout.objects.get(username="operator")
    assert row.is_locked and (row.failures, row.lock_attempt) == (4, 4)
    assert row.locked_until - row.locked_at == datetime.timedelta(seconds=600)
    lockout_claim(username="operator")
    assert lockout_failed(claim=dead) is False  # the threshold worker, back late: locked already
    (lock,) = ServerEvent.objects.filter(event_type="lock")
    assert lock.username == "operator" and "4 login attempts" in lock.description
    (record,) = AuditRecord.objects.filter(action="U", resource_table="audit_loginlockout")
    assert record.details["changes"]["locked_until"] == [None, row.locked_until.isoformat()]
    assert lockouts_expire(now=timezone.now() + datetime.timedelta(seconds=601)) == 1  # and it ends


def test_a_lock_set_at_the_threshold_is_not_recorded_again_by_later_claims(client, operator):
    for _ in range(3):
        attempt(client)
    for _ in range(3):
        assert lockout_claim(username="operator").refused
    assert LoginLockout.objects.get(username="operator").lock_attempt == 3
    assert ServerEvent.objects.filter(event_type="lock").count() == 1
    assert AuditRecord.objects.filter(action="U", resource_table="audit_loginlockout").count() == 1
