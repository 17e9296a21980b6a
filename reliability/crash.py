"""Crash: `reconcile_sip_events` killed with SIGKILL at random moments, 20 times, over 200,000 pending
SIP events, run again after each kill; the end state must equal an uninterrupted run's.

Both runs start from one copy of the same data (PostgreSQL's CREATE DATABASE ... TEMPLATE). The end
state is every event's (account, reconciled, ambiguous, username), compared by digest; each event
is bound at most once when that state is equal and no event is bound to two accounts.
"""

import random
import subprocess
import time

import psycopg

from .stage import PYTHON, ROOT, database_name, environment, manage, recreate_database, url_of

EVENTS = 200_000
BINDINGS = 20_000
KILLS = 20
STATE_SQL = """
SELECT md5(string_agg(concat_ws(':', id, account_id, reconciled, ambiguous, username), ',' ORDER BY id)),
       count(*) FILTER (WHERE reconciled), count(*) FILTER (WHERE ambiguous), count(*) FILTER (WHERE NOT reconciled)
FROM sip_sessions_sipevent
"""


def _state(name: str) -> tuple:
    with psycopg.connect(url_of(name)) as conn:
        return conn.execute(STATE_SQL).fetchone()


def _reconcile(name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", "reconcile_sip_events"],
        cwd=ROOT,
        env=environment(DATABASE_URL=url_of(name)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run(seed: int = 20261203) -> dict:
    crashed, reference = database_name() + "_crash", database_name() + "_crash_ref"
    recreate_database(crashed)
    manage("migrate", "--noinput", "-v0", database_url=url_of(crashed))
    subprocess.run(
        [PYTHON, "bench/reconcile_dataset.py", "--events", str(EVENTS), "--bindings", str(BINDINGS)],
        cwd=ROOT,
        env=environment(DATABASE_URL=url_of(crashed)),
        check=True,
        capture_output=True,
    )
    recreate_database(reference, template=crashed)
    started = time.monotonic()
    manage("reconcile_sip_events", database_url=url_of(reference))
    uninterrupted = time.monotonic() - started

    chance = random.Random(seed)
    kills = finished_early = 0
    # Each run lives 0.5-1.6 s (the command's own start takes most of a second), so the 20 kills land
    # before, inside and between its batches and leave work for the run that ends the series.
    while kills < KILLS and kills + finished_early < 3 * KILLS:
        process = _reconcile(crashed)
        time.sleep(chance.uniform(0.5, 1.6))
        if process.poll() is None:
            process.kill()
            kills += 1
        else:
            finished_early += 1
        process.wait()
    manage("reconcile_sip_events", database_url=url_of(crashed))
    ours, theirs = _state(crashed), _state(reference)
    return {
        "events": EVENTS,
        "kills": kills,
        "runs_that_finished_before_the_kill": finished_early,
        "uninterrupted_seconds": round(uninterrupted, 1),
        "bound": ours[1],
        "ambiguous": ours[2],
        "pending": ours[3],
        "equal_to_uninterrupted": ours == theirs,
    }
