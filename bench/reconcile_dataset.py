"""Fill the configured PostgreSQL database with a reconciliation workload, then time it with
`manage.py reconcile_sip_events`:

    DATABASE_URL=postgres://... .venv/bin/python bench/reconcile_dataset.py --events 200000 --bindings 20000
    DATABASE_URL=postgres://... .venv/bin/python manage.py reconcile_sip_events
    DATABASE_URL=postgres://... .venv/bin/python bench/reconcile_dataset.py --clean

Bindings spread over 30 days, 1 h to 2 days long, about 1.3 per address (some overlap: NAT
ambiguity); events at a binding's address, a fifth of them after it ended (they stay pending).
Rows are made by the database itself (generate_series), named `bench-*`.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voipadmin.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from sip_sessions.models import SipEvent  # noqa: E402
from voipadmin.partitions import ensure_partitions  # noqa: E402

START = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)


def clean() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM sip_sessions_sipevent WHERE event_id LIKE 'bench-%%'")
        cursor.execute("DELETE FROM registrations_registrationbinding WHERE event_id LIKE 'bench-%%'")
        cursor.execute("DELETE FROM registrations_account WHERE username LIKE 'bench-%%'")
        cursor.execute("DELETE FROM sip_sessions_reconciliationrun")


def fill(*, events: int, bindings: int) -> None:
    accounts = max(1, bindings // 2)
    ensure_partitions(SipEvent, START, START + datetime.timedelta(days=40))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            """
            INSERT INTO registrations_account (username, display_name, first_name, last_name, department,
                extension, mobile, active, created_at, updated_at)
            SELECT 'bench-' || g, '', '', '', 'Bench', '', '', true, now(), now()
            FROM generate_series(1, %s) g
            """,
            [accounts],
        )
        cursor.execute(
            """
            INSERT INTO registrations_registrationbinding (account_id, username, contact, remote_ip, remote_port,
                transport, user_agent, registered_at, refreshed_at, expires_at, removed_at, removed_reason,
                event_id, last_event_id, updated_at)
            SELECT a.id, a.username, 'sip:' || a.username || '@10.0.0.2:5060',
                   '100.64.0.0'::inet + (g %% %(ips)s), 5060 + (g %% 3), 'UDP', 'bench',
                   t.start, t.start, t.start + t.length, NULL, '', 'bench-b' || g, 'bench-b' || g, now()
            FROM generate_series(1, %(bindings)s) g
            JOIN registrations_account a ON a.username = 'bench-' || (((g - 1) %% %(accounts)s) + 1)
            CROSS JOIN LATERAL (
                SELECT %(start)s::timestamptz + random() * interval '30 days' + g * interval '0 s' AS start,
                       interval '1 hour' + random() * interval '47 hours' + g * interval '0 s' AS length
            ) t
            """,
            {"ips": max(1, bindings // 4), "bindings": bindings, "accounts": accounts, "start": START},
        )
        cursor.execute(
            """
            INSERT INTO sip_sessions_sipevent (event_id, time, event, details, remote_ip, remote_port, transport,
                account_id, username, reconciled, ambiguous, reconciled_at)
            SELECT 'bench-e' || g,
                   b.registered_at + (random() + g * 0) * (b.expires_at - b.registered_at) * 1.25,
                   CASE WHEN g %% 2 = 0 THEN 'CONNECT' ELSE 'DISCONNECT' END, 'bench',
                   b.remote_ip, b.remote_port, b.transport, NULL, '', false, false, NULL
            FROM generate_series(1, %(events)s) g
            JOIN registrations_registrationbinding b
              ON b.event_id = 'bench-b' || (1 + (g::bigint * 7919) %% %(bindings)s)
            """,
            {"events": events, "bindings": bindings},
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registrations_account")
        cursor.execute("ANALYZE registrations_registrationbinding")
        cursor.execute("ANALYZE sip_sessions_sipevent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--bindings", type=int, default=20_000)
    parser.add_argument("--clean", action="store_true", help="Remove the bench-* rows and the run history.")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("the benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    started = time.monotonic()
    clean()
    if not options.clean:
        fill(events=options.events, bindings=options.bindings)
    print(f"done in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
