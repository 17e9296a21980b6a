"""The console through PgBouncer in transaction mode (as docs/deployment.md runs it): migrate,
ingest, pages, export, API, a confirmed delete and the maintenance tasks, then readiness when the
pooler stops. A database of its own on the suite's server, dropped at the end."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.voipadmin.pgbouncer_run import pgbouncer

ROOT = Path(__file__).resolve().parents[2]
PORT = 6440
TIMEOUT = 240


def console(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def psql(db: dict, statement: str) -> None:
    args = ["psql", "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"], "-d", "postgres", "-XAtqc", statement]
    subprocess.run(args, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pooled() -> dict:
    if shutil.which("pgbouncer") is None and not Path("/usr/sbin/pgbouncer").exists():
        pytest.fail("the PgBouncer test needs pgbouncer (Debian: apt-get install pgbouncer)")
    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_pgbouncer"
    psql(db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(db, f'CREATE DATABASE "{name}"')
    folder = Path(tempfile.mkdtemp(prefix="voipadmin-pgbouncer-", dir="/tmp"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "voipadmin.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{PORT}/{name}",
        "DISABLE_SERVER_SIDE_CURSORS": "1",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
    }
    try:
        with pgbouncer(listen=PORT, host=db["HOST"], port=int(db["PORT"]), user=db["USER"], folder=folder):
            done = console(["manage.py", "migrate", "--noinput", "-v0"], env)
            assert done.returncode == 0, done.stdout + done.stderr[-3000:]
            done = console(["-m", "tests.voipadmin.pgbouncer_walk"], env)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-5000:]
            walk = json.loads(done.stdout.strip().splitlines()[-1])
        ready = console(["-c", READY_AFTER_STOP], env)
        walk["ready_after_stop"] = json.loads(ready.stdout.strip().splitlines()[-1])
    finally:
        psql(db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)
    print("pgbouncer figures:", json.dumps(walk))
    return walk


READY_AFTER_STOP = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/readyz")
print(json.dumps({"http": response.status_code, "body": response.json()}))
"""


def test_ingest_through_the_pooler_stores_once(pooled):
    assert pooled["server_port"] == str(settings.DATABASES["default"]["PORT"])  # a real server behind it
    assert pooled["ingest"]["created"] == 1000
    assert pooled["repost_created"] == 0


def test_pages_export_and_api_through_the_pooler(pooled):
    assert pooled["login"] == 302
    assert all(codes == [200] for codes in pooled["pages"].values()), pooled["pages"]
    assert pooled["export_lines"] == 1001  # header + every row, by COPY


def test_delete_iterator_and_maintenance_through_the_pooler(pooled):
    assert pooled["delete"] == 302
    assert pooled["left"] == ["KEEP"]
    assert pooled["iterator_rows"] == 500
    assert "created" in pooled["partitions"]


def test_readiness_fails_when_the_pooler_is_gone(pooled):
    assert pooled["ready_after_stop"] == {
        "http": 503,
        "body": {"status": "unavailable", "database": "unavailable", "broker": "ok", "replica": "off"},
    }
