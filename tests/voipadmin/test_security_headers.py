"""Security headers with the production settings: CSP, X-Frame-Options, HSTS, nosniff, Secure /
HttpOnly / SameSite cookies; `Cache-Control: no-store` on logged-in pages and API answers; the
correlation id is the console's own, the client's kept apart."""

import json
import secrets

import pytest
from django.test import Client

from audit.models import AuditRecord
from tests.voipadmin.factories import PASSWORD
from tests.voipadmin.test_deploy import run_with_debug_off

pytestmark = pytest.mark.django_db

PRODUCTION = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_CSP",
    "MIDDLEWARE",
]


@pytest.fixture(scope="module")
def production() -> dict:
    """The values these settings take with DEBUG off, read from the real settings module."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {PRODUCTION!r}}}))"
    )
    done = run_with_debug_off(["-c", script], secrets.token_urlsafe(60))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture
def production_settings(settings, production):
    for name, value in production.items():
        setattr(settings, name, value)
    return settings


def test_production_turns_every_protection_on(production):
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_SSL_REDIRECT"] and production["SECURE_HSTS_SECONDS"] >= 31536000
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in production["MIDDLEWARE"]


def test_headers_and_cookies_of_a_login(production_settings, operator):
    client = Client()
    page = client.get("/login/", secure=True)
    assert page.status_code == 200
    policy = page["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert page["X-Frame-Options"] == "DENY"
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page["X-Content-Type-Options"] == "nosniff"
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"

    done = client.post("/login/", {"username": "operator", "password": PASSWORD}, secure=True)
    assert done.status_code == 302
    session = done.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_plain_http_is_sent_to_https(production_settings):
    response = Client().get("/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.parametrize("url", ["/", "/cdr/", "/sip-sessions/", "/api/v1/cdrs/", "/preferences/"])
def test_logged_in_pages_and_api_answers_are_not_stored(operator_client, url):
    response = operator_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_api_refusals_are_not_stored_either(client):
    response = client.get("/api/v1/cdrs/")
    assert response.status_code in (401, 403)
    assert "no-store" in response["Cache-Control"]


def test_static_files_keep_their_cache(operator_client):
    response = operator_client.get("/static/js/console.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_client_correlation_id_is_kept_apart(admin_client, admin_user):
    before = set(AuditRecord.objects.values_list("pk", flat=True))
    response = admin_client.post(
        "/preferences/",
        {"time_zone": "Europe/Rome", "csv_delimiter": ";", "csv_encoding": "utf-8"},
        HTTP_X_CORRELATION_ID="forged-0001\x07",
    )
    assert response.status_code in (200, 302)
    records = AuditRecord.objects.exclude(pk__in=before)
    assert records.exists()
    for record in records:
        assert record.correlation_id != "forged-0001" and len(record.correlation_id) == 32
        assert record.correlation_id == response["X-Correlation-ID"]
        assert record.details["client_correlation_id"] == "forged-0001"
