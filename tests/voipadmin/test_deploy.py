"""What an operator deploying the console relies on: `check --deploy` is clean with DEBUG off,
and the OpenAPI schema generates without a warning."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
KEY = "SECRET_KEY"


def run_with_debug_off(args: list[str], secret_key: str | None) -> subprocess.CompletedProcess:
    """`python ARGS` with the runtime settings, DEBUG off and SECRET_KEY as given (None: unset)."""
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("DJANGO_ALLOW_ASYNC_UNSAFE", KEY)},
        "DJANGO_SETTINGS_MODULE": "voipadmin.settings",
        "DEBUG": "0",
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    if secret_key is not None:
        env[KEY] = secret_key
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_with_debug_off():
    done = run_with_debug_off(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], secrets.token_urlsafe(60))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_reports_an_unset_secret_key_as_e001_not_a_traceback():
    done = run_with_debug_off(["manage.py", "check", "--deploy"], None)
    assert done.returncode == 1
    assert "voipadmin.E001" in done.stderr and "SECRET_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_server_will_not_start_with_a_weak_secret_key():
    """gunicorn runs no system checks: loading the WSGI application itself refuses the key."""
    done = run_with_debug_off(["-c", "import voipadmin.wsgi"], "changeme-changeme")
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is 17 characters long, fewer than 50" in done.stderr
    assert "changeme" not in done.stderr  # the key itself is never printed


def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for resource in ("/api/v1/sip-events/", "/api/v1/cdrs/", "/api/v1/conference-events/", "/api/v1/web-sessions/"):
        assert resource in schema
    import yaml

    paths = yaml.safe_load(schema)["paths"]
    pushed_paths = ("/api/v1/sip-events/", "/api/v1/cdrs/", "/api/v1/registrations/", "/api/v1/recordings/")
    pushed_paths += ("/api/v1/config-changes/",)  # the VoIP server's own configuration changes
    for pushed in (*pushed_paths, "/api/v1/files/", "/api/v1/terminal-states/", "/api/v1/conference-events/"):
        assert "post" in paths[pushed], pushed
    read_only_paths = ("/api/v1/web-sessions/", "/api/v1/audit/", "/api/v1/chat-messages/")
    for read_only in (*read_only_paths, "/api/v1/registration-history/"):
        assert "get" in paths[read_only] and "post" not in paths[read_only], read_only
