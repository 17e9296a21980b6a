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


def test_check_deploy_is_clean_with_debug_off():
    env = {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "voipadmin.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for resource in ("/api/v1/sip-events/", "/api/v1/cdrs/", "/api/v1/conference-events/", "/api/v1/web-sessions/"):
        assert resource in schema
    import yaml

    paths = yaml.safe_load(schema)["paths"]
    pushed_paths = ("/api/v1/sip-events/", "/api/v1/cdrs/", "/api/v1/registrations/", "/api/v1/recordings/")
    for pushed in (*pushed_paths, "/api/v1/files/", "/api/v1/terminal-states/", "/api/v1/conference-events/"):
        assert "post" in paths[pushed], pushed
    read_only_paths = ("/api/v1/web-sessions/", "/api/v1/audit/", "/api/v1/config-changes/", "/api/v1/chat-messages/")
    for read_only in (*read_only_paths, "/api/v1/registration-history/"):
        assert "get" in paths[read_only] and "post" not in paths[read_only], read_only
