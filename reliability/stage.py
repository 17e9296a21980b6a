"""The stage every check runs on: its own PostgreSQL database, production settings, a gunicorn.

The database (RELIABILITY_DATABASE_URL, default voipadmin_reliability on the local server) is
dropped and made anew each run, so figures do not depend on what an earlier run left.
"""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE_URL = os.environ.get("RELIABILITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/voipadmin_reliability")
PORT = int(os.environ.get("RELIABILITY_PORT", "8180"))
BASE = f"http://127.0.0.1:{PORT}"


def database_name(url: str = DATABASE_URL) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_url(url: str = DATABASE_URL) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def environment(**extra: str) -> dict[str, str]:
    """Production settings (DEBUG off) on the stage's database, plain HTTP on loopback."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="voipadmin.settings",
        DEBUG="0",
        DATABASE_URL=DATABASE_URL,
        SECRET_KEY=os.environ.setdefault("RELIABILITY_SECRET_KEY", secrets.token_urlsafe(64)),
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        VOIPADMIN_VAR_DIR=str(ROOT / "var" / "reliability"),
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
    )
    env.update(extra)
    return env


def manage(*args: str, check: bool = True, database_url: str = DATABASE_URL, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environment(DATABASE_URL=database_url),
        check=check,
        capture_output=True,
        text=True,
        **kwargs,
    )


def url_of(name: str) -> str:
    return DATABASE_URL.rsplit("/", 1)[0] + "/" + name


def recreate_database(name: str | None = None, template: str | None = None) -> None:
    name = name or database_name()
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def prepare() -> dict[str, str]:
    """A fresh database with the demo data set, collected static files; returns the two tokens."""
    recreate_database()
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("seed_demo", "--scale", "0.05", "--seed", "1")
    ingest = manage("create_ingest_token", "reliability").stdout.strip().splitlines()[-1]
    script = (
        "from django.contrib.auth.models import Group, User; from rest_framework.authtoken.models import Token; "
        "u, _ = User.objects.get_or_create(username='reliability-admin'); "
        "u.groups.add(Group.objects.get(name='Admins')); "
        "print(Token.objects.get_or_create(user=u)[0].key)"
    )
    admin = manage("shell", "-c", script).stdout.strip().splitlines()[-1]
    return {"ingest": ingest, "admin": admin}


def wait_until_up(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{BASE}/login/", timeout=2)  # noqa: S310 loopback only
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"the console did not answer on {BASE}")


@contextlib.contextmanager
def console(workers: int = 2) -> Iterator[subprocess.Popen]:
    """gunicorn serving the console on the stage's port, stopped (SIGTERM) when the block ends."""
    process = start_console(workers)
    try:
        yield process
    finally:
        stop_console(process)


def start_console(workers: int = 2) -> subprocess.Popen:
    log = open(ROOT / "var" / "reliability" / "gunicorn.log", "ab")  # noqa: SIM115 closed with the process
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "voipadmin.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(workers), "--timeout", "60"],
        cwd=ROOT,
        env=environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_until_up()
    return process


def stop_console(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
