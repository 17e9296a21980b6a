"""Time User Monitoring at scale: the full page, its 2-second poll and GET /api/v1/monitoring/.

    DATABASE_URL=postgres://... .venv/bin/python bench/monitoring_poll.py --users 5000
    DATABASE_URL=postgres://... .venv/bin/python bench/monitoring_poll.py --clean

Fills `bench-mon-*` accounts in 20 departments, each with 4 terminals (SIP, DECT, USB, mobile:
20,000 terminal states at 5,000 users), a live binding for 9 in 10 users and 12 ended bindings
each (registration history), made by the database itself. Then, in this process, through the
whole Django stack (middleware, session, templates) with a test client: the page, the poll with
nothing changed, and the poll while the server changes things between two polls as a busy PBX
would over 2 seconds (terminal states pushed through the real ingest service, binding refreshes,
bindings that expire with no write). Prints p50 / p95 / max in milliseconds.
"""

import argparse
import gzip
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voipadmin.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402

# Production settings (DEBUG off, cached templates) but static files found in place, not collected.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from monitoring.services import terminal_states_store  # noqa: E402

PREFIX = "bench-mon-"
BINDINGS = """
    INSERT INTO registrations_registrationbinding (account_id, username, contact, remote_ip, remote_port, transport,
        user_agent, registered_at, refreshed_at, expires_at, removed_at, removed_reason, event_id, last_event_id,
        updated_at)
"""


def clean() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM monitoring_terminalstateevent WHERE account_id IN "
            "(SELECT id FROM registrations_account WHERE username LIKE 'bench-mon-%')"
        )
        cursor.execute(
            "DELETE FROM monitoring_terminalstate WHERE account_id IN "
            "(SELECT id FROM registrations_account WHERE username LIKE 'bench-mon-%')"
        )
        cursor.execute("DELETE FROM registrations_registrationbinding WHERE event_id LIKE 'bench-mon-%'")
        cursor.execute("DELETE FROM registrations_account WHERE username LIKE 'bench-mon-%'")
    get_user_model().objects.filter(username="bench-monitor").delete()


def fill(users: int) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.7)")
        cursor.execute(
            """
            INSERT INTO registrations_account (username, display_name, first_name, last_name, department,
                extension, mobile, active, created_at, updated_at)
            SELECT 'bench-mon-' || g, 'User ' || g, 'Name' || (g %% 97), 'Surname' || (g %% 389),
                'Dept ' || lpad((g %% 20)::text, 2, '0'), (20000 + g)::text, '+39 333 ' || (1000000 + g),
                true, now(), now()
            FROM generate_series(1, %s) g
            """,
            [users],
        )
        cursor.execute(
            """
            INSERT INTO monitoring_terminalstate (account_id, terminal, kind, registered, calls_ringing,
                calls_active, address, model, event_id, timestamp, updated_at)
            SELECT a.id, s.slot, (ARRAY['sip','dect','usb','mobile'])[s.slot], random() < 0.8,
                (random() < 0.03)::int, (random() < 0.08)::int,
                '10.' || (a.id / 65536 % 256) || '.' || (a.id / 256 % 256) || '.' || (a.id % 256),
                'Model ' || s.slot, 'bench-mon-t-' || a.id || '-' || s.slot,
                now() - interval '1 hour' * random(), now() - interval '1 hour'
            FROM registrations_account a CROSS JOIN generate_series(1, 4) AS s(slot)
            WHERE a.username LIKE 'bench-mon-%'
            """
        )
        # 12 ended bindings of the last weeks per user, then a live one for 9 users in 10.
        cursor.execute(
            BINDINGS
            + """
            SELECT a.id, a.username, 'sip:' || a.username || '@192.168.1.10:5060', '203.0.113.10',
                10000 + (a.id * 13 + h) % 50000, 'UDP', 'Yealink SIP-T46U',
                now() - interval '1 day' * (h + 1), now() - interval '1 day' * (h + 1),
                now() - interval '1 day' * h - interval '1 hour', now() - interval '1 day' * h - interval '2 hours',
                'moved', 'bench-mon-b-' || a.id || '-' || h, '', now() - interval '1 day' * h
            FROM registrations_account a CROSS JOIN generate_series(1, 12) AS h
            WHERE a.username LIKE 'bench-mon-%'
            """
        )
        cursor.execute(
            BINDINGS
            + """
            SELECT a.id, a.username, 'sip:' || a.username || '@192.168.1.10:5060', '203.0.113.10',
                10000 + a.id % 50000, 'UDP', 'Yealink SIP-T46U', now() - interval '6 hours',
                now() - interval '1 minute', now() + interval '5 minutes' * random() + interval '30 seconds',
                NULL, '', 'bench-mon-l-' || a.id, '', now() - interval '1 hour'
            FROM registrations_account a
            WHERE a.username LIKE 'bench-mon-%' AND random() < 0.9
            """
        )
        cursor.execute("ANALYZE registrations_account")
        cursor.execute("ANALYZE registrations_registrationbinding")
        cursor.execute("ANALYZE monitoring_terminalstate")


def busy_two_seconds(rng: random.Random, usernames: list[str], step: int) -> None:
    """What a 5,000-user PBX changes in about two seconds: 25 terminal states pushed (calls
    ringing, answered, hung up), 35 binding refreshes, a few bindings let expire."""
    now = timezone.now()
    items = [
        {
            "event_id": f"bench-mon-p-{step}-{n}",
            "timestamp": now,
            "username": rng.choice(usernames),
            "terminal": rng.randint(1, 4),
            "kind": "sip",
            "registered": True,
            "calls_ringing": int(rng.random() < 0.3),
            "calls_active": int(rng.random() < 0.3),
            "address": "10.0.0.1",
            "model": "Model 1",
        }
        for n in range(25)
    ]
    with transaction.atomic():
        terminal_states_store(items=items)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registrations_registrationbinding SET refreshed_at = now(), "
            "expires_at = now() + interval '5 minutes', updated_at = now() "
            "WHERE id IN (SELECT id FROM registrations_registrationbinding WHERE event_id LIKE 'bench-mon-l-%' "
            "AND removed_at IS NULL ORDER BY random() LIMIT 35)"
        )


def timed(client: Client, url: str) -> tuple[float, dict | None, int]:
    """Server time of one request as a browser makes it (gzip accepted), its JSON, its bytes."""
    started = time.perf_counter()
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code} {response.content[:300]!r}")
    raw = response.content
    text = gzip.decompress(raw) if response.get("Content-Encoding") == "gzip" else raw
    body = json.loads(text) if response["Content-Type"].startswith("application/json") else None
    return elapsed, body, len(raw)


def report(name: str, times: list[float], extra: str = "") -> None:
    times = sorted(times)
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(
        f"{name:<46} n={len(times):<4} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {times[-1]:7.1f} ms {extra}"
    )


def paced(client: Client, rng: random.Random, usernames: list[str], steps, interval: float, query: str):
    """Polls `interval` seconds apart, each after what the server changed meanwhile, as the page
    makes them: each answer's token goes into the next request."""
    token = timed(client, "/monitoring/changes/?since=0")[1]["token"]
    for step in steps:
        started = time.monotonic()
        busy_two_seconds(rng, usernames, step)
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
        elapsed, body, size = timed(client, f"/monitoring/changes/?since={token}{query}")
        token = body["token"]
        yield elapsed, body, size


def measure(*, pages: int, polls: int, interval: float) -> None:
    user, _ = get_user_model().objects.get_or_create(username="bench-monitor", defaults={"is_superuser": True})
    client = Client()
    client.force_login(user)
    usernames = [f"{PREFIX}{n}" for n in range(1, 5001)]
    rng = random.Random(7)
    page = [timed(client, "/monitoring/") for _ in range(pages)]
    report("full page /monitoring/ (every user)", [t for t, _b, _n in page], f"({page[0][2] / 1e3:.0f} kB gzipped)")
    filtered = [timed(client, "/monitoring/?department=Dept+07")[0] for _ in range(pages)]
    report("page, one department", filtered)

    token = timed(client, "/monitoring/changes/?since=0")[1]["token"]
    idle = []
    for _ in range(polls):
        elapsed, body, _size = timed(client, f"/monitoring/changes/?since={token}")
        idle.append(elapsed)
        token = body["token"]
    report("poll, nothing written", idle)

    busy, rows, sizes = [], [], []
    for elapsed, body, size in paced(client, rng, usernames, range(polls), interval, ""):
        busy.append(elapsed)
        rows.append(len(body["rows"]))
        sizes.append(size)
    extra = f"(rows per answer: median {statistics.median(rows)}, {statistics.median(sizes) / 1e3:.1f} kB)"
    report(f"poll every {interval:g} s, 25 pushes + 35 refreshes", busy, extra)
    steps = range(polls, polls + max(1, polls // 4))
    red = [elapsed for elapsed, _b, _s in paced(client, rng, usernames, steps, interval, "&state=RED&state=ORANGE")]
    report("poll, same load, state filter RED+ORANGE", red)
    stale = [timed(client, "/monitoring/changes/?since=1")[0] for _ in range(pages)]
    report("poll after a long outage (every row)", stale)
    api = [timed(client, "/api/v1/monitoring/")[0] for _ in range(pages)]
    report("GET /api/v1/monitoring/ (first 500 users)", api)
    api_red = [timed(client, "/api/v1/monitoring/?state=RED")[0] for _ in range(pages)]
    report("GET /api/v1/monitoring/?state=RED", api_red)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--pages", type=int, default=20, help="full-page requests to time")
    parser.add_argument("--polls", type=int, default=60, help="poll requests to time per case")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between two polls (the page's 2)")
    parser.add_argument("--clean", action="store_true", help="remove the bench rows and stop")
    parser.add_argument("--keep", action="store_true", help="leave the bench rows in place afterwards")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/monitoring_poll.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    clean()
    if options.clean:
        return
    started = time.perf_counter()
    fill(options.users)
    print(f"filled {options.users} users, {4 * options.users} terminal states in {time.perf_counter() - started:.1f} s")
    try:
        measure(pages=options.pages, polls=options.polls, interval=options.interval)
    finally:
        if not options.keep:
            clean()


if __name__ == "__main__":
    main()
