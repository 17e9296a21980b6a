"""Reads on a real streaming replica: a new PostgreSQL 15 primary and its replica (pg_createcluster,
pg_basebackup), the console run against both (replica_walk.py), the routing proven by what pages
list while the replica's replay is paused, read-your-writes, and the fallback with it stopped.

Never skipped: missing tools fail the test, naming them. The figures (lag, fallback time, reads
routed) are printed as one JSON line (`pytest -s`); docs/replica.md quotes a run.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.voipadmin.pg_clusters import missing_tools, primary_and_replica

ROOT = Path(__file__).resolve().parents[2]
PRIMARY_PORT, REPLICA_PORT = 5440, 5441
TIMEOUT = 240


def console(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


@pytest.fixture(scope="module")
def walk() -> dict:
    missing = missing_tools()
    if missing:
        pytest.fail(f"the replica test needs PostgreSQL 15's Debian tools; missing: {', '.join(missing)}")
    with primary_and_replica(PRIMARY_PORT, REPLICA_PORT) as (primary, replica):
        primary.sql("CREATE DATABASE voipadmin")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "voipadmin.settings",
            "DATABASE_URL": primary.url("voipadmin"),
            "DATABASE_REPLICA_URL": replica.url("voipadmin"),
            "REPLICA_CLUSTER": replica.name,
            "REPLICA_PORT": str(replica.port),
            "REPLICA_RETRY_SECONDS": "1",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "DEBUG": "1",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "REPORT_PAGE_SIZE": "500",
        }
        done = console(["manage.py", "migrate", "--noinput", "-v0"], env)
        assert done.returncode == 0, done.stdout + done.stderr[-3000:]
        done = console(["-m", "tests.voipadmin.replica_walk"], env)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-5000:]
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    print("replica figures:", json.dumps(figures))
    return figures


def test_every_read_page_and_api_get_reads_the_replica(walk):
    for step in walk["routed"]:
        assert step["status"] == 200, step
        assert step["read"] == "replica", step
        assert step["replica_queries"] > 0 or step["url"] == "/cdr/export.csv", step
        assert step["cdr_queries_on_primary"] == 0, step


def test_a_paused_replica_is_what_other_readers_see(walk):
    assert walk["other_reader_while_paused"] == {"read": "replica", "sees_fresh": False}


def test_the_ingest_client_reads_its_own_push_and_others_the_replica(walk):
    assert walk["api_writer_while_paused"] == {"read": "primary; replica=pinned", "count": 1}
    assert walk["api_other_while_paused"] == {"read": "replica", "count": 0}


def test_who_confirmed_a_delete_sees_it_gone_and_others_still_read_the_replica(walk):
    assert walk["deleter_after_delete"] == {"read": "primary; replica=pinned", "old_rows_listed": 0, "lag_shown": True}
    assert walk["other_reader_after_delete"]["read"] == "replica"
    assert walk["other_reader_after_delete"]["old_rows_listed"] == 100
    assert walk["deleter_after_catch_up"] == {"read": "replica", "old_rows_listed": 0}


def test_who_changed_a_setting_reads_the_primary(walk):
    assert walk["setter_after_preferences"] == {"read": "primary; replica=pinned", "paris_shown": True}


def test_a_stopped_replica_falls_back_to_the_primary_and_says_so(walk):
    first = walk["fallback_first"]
    assert (first["status"], first["read"], first["notice"], first["rows"]) == (200, "primary; replica=down", True, 100)
    assert walk["fallback_api"] == {"status": 200, "read": "primary; replica=down"}
    assert first["ms"] < 5000
    assert walk["back_on_replica_s"] < 30
