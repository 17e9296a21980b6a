"""REGISTER -> row latency of the Kamailio source at a steady REGISTER rate from SIPp.

    .venv/bin/python -m bench.sip_register_latency --rate 200 --count 6000

Starts its own console (gunicorn on a fresh PostgreSQL database) and Kamailio (bin/run-kamailio,
fresh outbox database), registers `count` distinct users at `rate` REGISTER/s (each REGISTER is
challenged, so Kamailio sees twice that many requests), then registers them all again (refreshes),
and measures, per row, the time from Kamailio accepting the REGISTER (the fact's time,
`refreshed_at`) to the console's write of the row (`updated_at`, the storing transaction's
clock). Ports: SIP 5180, console 8180 by default.
"""

import argparse
import os
import statistics
import time
from pathlib import Path

from tests.e2e.sip_stack import VENV_BIN, Stack, fresh_database, outbox_left, sipp, wait_for

from .harness import percentile


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200, help="REGISTER per second from SIPp")
    parser.add_argument("--count", type=int, default=6000, help="distinct users, one REGISTER each")
    parser.add_argument("--sip-port", type=int, default=5180)
    parser.add_argument("--console-port", type=int, default=8180)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/voipadmin")
    console_db = fresh_database(base, base.rsplit("/", 1)[1] + "_sipbench")
    kamailio_db = fresh_database(base, f"kamailio_sipbench_{args.sip_port}")
    logs = Path("var") / "sipbench"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": console_db, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "voipadmin.settings"}
    stack = Stack(env=env, logs=logs)
    try:
        stack.manage("migrate", "--noinput")
        token = stack.manage("create_ingest_token", "kamailio-bench").strip().splitlines()[-1]
        gunicorn = [str(VENV_BIN / "gunicorn"), "voipadmin.wsgi:application", "--workers", "2", "--threads", "4"]
        stack.start("gunicorn", [*gunicorn, "--bind", f"127.0.0.1:{args.console_port}"])
        stack.env.update(
            SIP_PORT=str(args.sip_port),
            CONSOLE_URL=f"http://127.0.0.1:{args.console_port}",
            INGEST_TOKEN=token,
            KAMAILIO_DB_URL=kamailio_db,
            KAMAILIO_RUN_DIR=str((logs / "kamailio").resolve()),
        )
        stack.start("kamailio", ["bin/run-kamailio"])
        users = [f"b{n:05}" for n in range(args.count)]
        wait_for("the subscriber table", lambda: _subscribers(kamailio_db, users), timeout=60)
        rows = [f"{u};[authentication username={u} password=pw-{u}];3600" for u in users]
        results = []
        for label in ("first REGISTER of each user (the console creates its account)", "re-REGISTER (refresh)"):
            since = _query(console_db, "SELECT now()")[0][0]
            started = time.monotonic()
            options = {"r": args.rate, "l": args.rate * 2, "p": args.sip_port + 1, "timeout": 600}
            # On a loaded host SIPp may count a retransmitted REGISTER's late 200 as a failure: the
            # REGISTER was still accepted, and its row is what is measured.
            sipp(stack, "register", rows, sip_port=args.sip_port, check=False, **options)
            sent = time.monotonic() - started
            wait_for("every row", lambda s=since: _count(console_db, s) >= args.count, timeout=600, every=0.5)
            wait_for("the outbox to drain", lambda: outbox_left(kamailio_db) == 0, timeout=60)
            latencies = [row[0] for row in _query(console_db, LATENCY_SQL, [since])]
            results.append((label, sent, latencies))
    finally:
        stack.stop_all()
    for label, sent, latencies in results:
        print(f"{args.count} REGISTER at {args.rate}/s (sent in {sent:.1f} s), {label}: REGISTER -> row latency")
        print(
            f"  p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms over {len(latencies)} rows"
        )


# The fact's time (Kamailio accepted the REGISTER) to the storing transaction's clock, for the
# rows a round wrote (a refresh moves refreshed_at and updated_at).
LATENCY_SQL = (
    "SELECT EXTRACT(EPOCH FROM updated_at - refreshed_at)::float FROM registrations_registrationbinding "
    "WHERE updated_at >= %s"
)


def _query(url: str, sql: str, params=()):
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        cursor = db.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _count(url: str, since) -> int:
    sql = "SELECT count(*) FROM registrations_registrationbinding WHERE updated_at >= %s"
    return _query(url, sql, [since])[0][0]


def _subscribers(url: str, users: list[str]) -> bool:
    import psycopg

    try:
        _query(
            url,
            "INSERT INTO subscriber (username, password) SELECT u, 'pw-' || u FROM unnest(%s::text[]) u "
            "ON CONFLICT DO NOTHING",
            [users],
        )
    except psycopg.errors.UndefinedTable:
        return False
    return True


if __name__ == "__main__":
    main()
