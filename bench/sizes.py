"""Bytes per row of each big table, with its indexes, on a small load of the benchmark's data
(`python -m bench.sizes --scale 1m`; 200k by default): the figures docs/capacity.md turns into disk per
month. Writes bench/sizes.md. Not part of `make bench`; about a minute on this machine kind.

Sizes are `pg_total_relation_size` (heap + TOAST + every index) summed over a table's partitions,
after the benchmark's own load (COPY, indexes built after, VACUUM ANALYZE), divided by the rows.
Then 100,000 more CDRs and SIP events go in through the ingest API (in process, batches of 1,000,
the bench's own workloads), and the growth per row is measured: what a live site's rows cost,
indexes maintained row by row rather than built once.
"""

import argparse
import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/voipadmin_bench_sizes"
TABLES = ("cdr_cdr", "sip_sessions_sipevent", "registrations_registrationbinding", "registrations_account")

SIZES_SQL = """
SELECT COALESCE(SUM(pg_relation_size(relid)), 0)::bigint,
       COALESCE(SUM(pg_indexes_size(relid)), 0)::bigint,
       COALESCE(SUM(pg_total_relation_size(relid)), 0)::bigint,
       COUNT(*) FILTER (WHERE isleaf)
FROM pg_partition_tree(%s::regclass)
"""

PLAIN_SQL = "SELECT pg_relation_size(%s::regclass), pg_indexes_size(%s::regclass), pg_total_relation_size(%s::regclass)"


def measure(table: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        rows = cursor.fetchone()[0]
        cursor.execute(SIZES_SQL, [table])
        heap, indexes, total, leaves = cursor.fetchone()
        if leaves == 0:  # a table that is not partitioned is its own only leaf
            cursor.execute(PLAIN_SQL, [table, table, table])
            heap, indexes, total = cursor.fetchone()
    return {"table": table, "rows": rows, "heap": heap, "indexes": indexes, "total": total, "partitions": leaves}


def ingest_growth(count: int = 100_000) -> list[dict]:
    """Bytes per row added by `count` rows pushed through the API, for the CDR and SIP event tables."""
    import json
    import random

    from django.test import Client

    from bench.context import prepare_users
    from bench.measures.ingest import BATCH, cdr_workload, sip_workload

    token = prepare_users()
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    grown = []
    for make in (cdr_workload, sip_workload):
        workload = make(count, random.Random(7), "sizes")
        before = measure(workload.table)
        for start in range(0, count, BATCH):
            body = json.dumps(workload.items[start : start + BATCH])
            response = client.post(workload.path, body, content_type="application/json")
            if response.status_code != 201:
                raise SystemExit(
                    f"bench.sizes: {workload.path} answered {response.status_code}: {response.content[:500]}"
                )
        after = measure(workload.table)
        rows = after["rows"] - before["rows"]
        grown.append(
            {
                "table": workload.table,
                "rows": rows,
                "indexes": (after["indexes"] - before["indexes"]) / rows,
                "total": (after["total"] - before["total"]) / rows,
            }
        )
    return grown


def write(path: Path, scale: str, measured: list[dict], version: str, grown: list[dict]) -> None:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Bytes per row of the big tables",
        "",
        f"`python -m bench.sizes --scale {scale}`, {stamp}, PostgreSQL {version}; the benchmark's own",
        "data generators and load (COPY, indexes built after the load, VACUUM ANALYZE), so the rows are",
        "shaped like `make bench`'s. Sizes are `pg_total_relation_size` summed over the partitions.",
        "",
        "| table | rows | partitions | heap + TOAST bytes/row | index bytes/row | total bytes/row | total MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry in measured:
        rows = max(entry["rows"], 1)
        indexes, total = entry["indexes"] / rows, entry["total"] / rows
        heap = total - indexes
        lines.append(
            f"| {entry['table']} | {entry['rows']:,} | {entry['partitions']} | {heap:.0f} | {indexes:.0f}"
            f" | {total:.0f} | {entry['total'] / 2**20:.1f} |"
        )
    lines += [
        "",
        "Then rows pushed through `POST /api/v1/...` (batches of 1,000; the indexes maintained row by row):",
        "",
        "| table | rows added | index bytes/row added | total bytes/row added |",
        "|---|---|---|---|",
    ]
    for entry in grown:
        lines.append(f"| {entry['table']} | {entry['rows']:,} | {entry['indexes']:.0f} | {entry['total']:.0f} |")
    path.write_text("\n".join(lines) + "\n")


def drop(url: str) -> None:
    """The measured database goes: a gigabyte at 1m that nothing else reads."""
    import psycopg
    from django.db import connections
    from psycopg import sql

    from bench.database import _maintenance_url, _name

    connections.close_all()
    with psycopg.connect(_maintenance_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_name(url))))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sizes", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="200k")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "sizes.md")
    options = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench import database

    url = os.environ.get("BENCH_SIZES_DATABASE_URL") or DEFAULT_URL
    version = database.recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from bench.dataset import Scale, generate

    call_command("migrate", verbosity=0)
    generate(Scale.parse(options.scale))
    loaded = [measure(table) for table in TABLES]
    grown = ingest_growth()
    write(options.out, options.scale, loaded, version, grown)
    drop(url)
    print(options.out.read_text())


if __name__ == "__main__":
    main()
