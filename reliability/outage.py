"""Outage: the console down for 30 s while the Master.csv follower is sending.

Asterisk keeps appending to Master.csv; `import_asterisk_cdr --follow` runs under a supervisor
that starts it again when it exits (as systemd's Restart=always would). For 30 s the console is
stopped (gunicorn) and its database refuses every connection (ALLOW_CONNECTIONS false, every
session cut), so the follower loses its connection mid-batch. Afterwards every line written must
be stored exactly once.
"""

import datetime
import subprocess
import threading
import time
from pathlib import Path

import psycopg

from .stage import PYTHON, ROOT, admin_url, database_name, environment, start_console, stop_console, url_of

LINES = 1200
RATE = 20  # lines per second: a minute of calls
OUTAGE_AT, OUTAGE_SECONDS = 10, 30
T0 = datetime.datetime(2026, 11, 21, 8, 0, 0)  # noqa: DTZ001 Master.csv times are UTC wall clock


def line(n: int) -> str:
    start = T0 + datetime.timedelta(seconds=n)
    end = start + datetime.timedelta(seconds=65)
    answer = start + datetime.timedelta(seconds=5)
    stamp = "%Y-%m-%d %H:%M:%S"
    return (
        f'"","1001","1002","from-internal","""Alice"" <1001>","PJSIP/1001-{n:08x}","PJSIP/1002-{n:08x}","Dial",'
        f'"PJSIP/1002,30","{start:{stamp}}","{answer:{stamp}}","{end:{stamp}}",65,60,"ANSWERED","DOCUMENTATION",'
        f'"outage-{n}",""\n'
    )


def _writer(path: Path) -> None:
    with path.open("a", buffering=1) as out:
        for n in range(LINES):
            out.write(line(n))
            time.sleep(1 / RATE)


def _supervise(path: Path, stop: threading.Event, starts: list[int]) -> None:
    env = environment()
    while not stop.is_set():
        starts.append(1)
        process = subprocess.Popen(
            [
                PYTHON,
                "manage.py",
                "import_asterisk_cdr",
                "--follow",
                "--interval",
                "0.5",
                "--timezone",
                "UTC",
                str(path),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None and not stop.is_set():
            time.sleep(0.2)
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)
        time.sleep(1)


def _connections(allowed: bool) -> None:
    name = database_name()
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')
        if not allowed:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])


def _stored() -> tuple[int, int]:
    with psycopg.connect(url_of(database_name())) as conn:
        return conn.execute(
            "SELECT count(*), count(DISTINCT uniqueid) FROM cdr_cdr WHERE uniqueid LIKE 'outage-%%'"
        ).fetchone()


def run(console) -> dict:
    folder = ROOT / "var" / "reliability" / "outage"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "Master.csv"
    path.write_text("")
    stop, starts = threading.Event(), []
    supervisor = threading.Thread(target=_supervise, args=(path, stop, starts))
    writer = threading.Thread(target=_writer, args=(path,))
    supervisor.start()
    writer.start()
    time.sleep(OUTAGE_AT)
    stop_console(console)
    _connections(False)
    during = LINES
    time.sleep(OUTAGE_SECONDS)
    _connections(True)
    console = start_console()
    writer.join()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _stored()[1] < LINES:
        time.sleep(1)
    stop.set()
    supervisor.join()
    rows, unique = _stored()
    return {
        "lines": LINES,
        "outage_seconds": OUTAGE_SECONDS,
        "follower_starts": len(starts),
        "stored": rows,
        "unique": unique,
        "lost": during - unique,
        "doubled": rows - unique,
        "console": console,
    }
