"""Management commands: tokens, the printed superuser password, demo data, service checks."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from audit.models import WebAccess

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_create_ingest_token_prints_a_working_key():
    key = run("create_ingest_token", "pbx-1")
    assert len(key) == 40
    assert run("create_ingest_token", "pbx-1") == key  # shown again, not replaced
    rotated = run("create_ingest_token", "pbx-1", "--rotate")
    assert rotated != key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {rotated}")
    assert client.get("/api/v1/accounts/").status_code == 200


@pytest.mark.parametrize("name", ["", "bad name", "x" * 200, "semi;colon"])
def test_create_ingest_token_refuses_bad_names(name):
    with pytest.raises(CommandError):
        run("create_ingest_token", name)


def test_console_superuser_prints_a_password_that_logs_in(client):
    line = run("console_superuser")
    password = line.rsplit(": ", 1)[1]
    assert client.login(username="admin", password=password)
    assert get_user_model().objects.get(username="admin").is_superuser


def test_seed_demo_fills_reports_and_is_idempotent():
    first = run("seed_demo", "--scale", "0.05")
    count = WebAccess.objects.count()
    assert "web accesses" in first and count > 100
    run("seed_demo", "--scale", "0.05")
    assert WebAccess.objects.count() == count
    assert WebAccess.objects.filter(outcome="login_failed").exists()


def test_seed_demo_fills_every_report_with_nothing_in_the_future():
    from django.db import models
    from django.utils import timezone

    from voipadmin.reports import all_reports

    run("seed_demo", "--scale", "0.05")
    now = timezone.now()
    for report in all_reports():
        if report.slug == "probes":  # the tests' own report has no demo
            continue
        queryset = report.base_queryset()
        assert queryset.exists(), f"{report.title} has no demo rows"
        key = report.default_order.lstrip("-")
        if isinstance(report.model._meta.get_field(key), models.DateTimeField):
            assert not queryset.filter(**{f"{key}__gt": now}).exists(), f"{report.title} has rows in the future"


def test_check_services_passes_on_the_real_services():
    assert "database: postgresql ok" in run("check_services", "--require-postgres", "--require-redis")


def test_check_services_fails_loudly_without_redis(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(CommandError, match="does not answer"):
        run("check_services", "--require-redis")


def test_system_check_flags_a_missing_secret_key(settings):
    from voipadmin.checks import secret_key_check

    settings.DEBUG = False
    settings.SECRET_KEY = "django-insecure-short"
    assert [error.id for error in secret_key_check(None)] == ["voipadmin.E001"]
    settings.SECRET_KEY = "k" * 10 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"
    assert secret_key_check(None) == []
