"""Without DATABASE_REPLICA_URL nothing changes; with it, the settings and checks it needs."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.conftest import login_quietly
from voipadmin.checks import replica_check
from voipadmin.reports.reads import READ_HEADER

ROOT = Path(__file__).resolve().parents[2]


def test_no_replica_no_router_and_no_read_header(client, operator):
    assert "replica" not in settings.DATABASES
    assert settings.DATABASE_ROUTERS == []
    response = login_quietly(client, operator).get("/cdr/")
    assert response.status_code == 200
    assert READ_HEADER not in response.headers
    assert b"Read replica" not in response.content


def _settings_with(env: dict) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings as s; from django.core import checks; "
        "r = s.DATABASES['replica']; "
        "print(s.DATABASE_ROUTERS, r['HOST'], r['PORT'], r['TEST']['MIRROR'], r['OPTIONS'], "
        "sorted(m.id for m in checks.run_checks(tags=['database'])))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "voipadmin.settings", "DEBUG": "1", **env}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip()


def test_a_replica_url_adds_the_alias_router_and_a_mirror_for_tests():
    out = _settings_with({"DATABASE_REPLICA_URL": "postgres://reader@10.0.0.2:5433/voipadmin", "REDIS_URL": ""})
    assert out.startswith("['voipadmin.replica.router.ReplicaRouter'] 10.0.0.2 5433 default")
    assert "'connect_timeout': 2" in out
    assert "voipadmin.W010" in out  # a per-process cache cannot hold read-your-writes pins


def test_a_replica_beside_sqlite_is_refused():
    out = _settings_with({"DATABASE_URL": "", "DATABASE_REPLICA_URL": "postgres://reader@10.0.0.2/voipadmin"})
    assert "voipadmin.E010" in out


def test_the_check_is_silent_without_a_replica():
    assert replica_check(None) == []
