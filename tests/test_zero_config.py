"""`make run`'s zero-configuration mode: SQLite and the folder broker, no server to install.

The suite itself runs on PostgreSQL; this test starts the console's own commands in subprocesses
on a fresh SQLite file, loads the demo and walks every page, so the default a new user meets first
cannot break unnoticed.
"""

import datetime
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_demo_console_on_sqlite(tmp_path):
    # `make run` with no configuration: only DEBUG=1 (the Makefile's), the files in a fresh folder.
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("ALLOWED_HOSTS", "DEMO")},
        "DJANGO_SETTINGS_MODULE": "voipadmin.settings",
        "DATABASE_URL": "",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "DEBUG": "1",
        "VOIPADMIN_VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    seeded_after = datetime.datetime.now(datetime.UTC)
    for step in (["manage.py", "migrate", "--noinput", "-v0"], ["manage.py", "seed_demo", "--scale", "0.1"]):
        done = run(step, env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "voipadmin.sqlite3").exists()
    # the demo source, as beat runs it under `make run`, feeds SQLite through the ingest services.
    # Played 31 minutes after the seed: every seeded live binding (last refreshed 10 s to 30 min
    # before the seed) is then due for its refresh, whatever the seed took; played at "now", a
    # tick a few seconds after the seed found a refresh due or not by how long the seed took.
    at = (seeded_after + datetime.timedelta(minutes=31)).isoformat()
    tick = run(["manage.py", "demo_tick", "--at", at], {**env, "DEMO": "1"})
    assert tick.returncode == 0, tick.stdout + tick.stderr
    assert " CDRs, " in tick.stdout and not tick.stdout.startswith("0 registrations")
    walk = run(["-m", "tests.zero_config_walk"], env)
    assert walk.returncode == 0, walk.stdout + walk.stderr[-3000:]
    assert "0 failed" in walk.stdout
