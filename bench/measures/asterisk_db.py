"""4e. follow_asterisk_cdr_db catching up on Asterisk's CDR table, against COPY of the same rows.

The source is a PostgreSQL database beside the benchmark's, holding Asterisk's own `cdr` table
(contrib/ast-db-manage/cdr: no key, naive times) with the ingest workload's calls, as
cdr_adaptive_odbc would have inserted them (UTC, usegmtime=yes). The follower reads it page by
page (1,000 rows), storing each page with its cursor in one transaction; the reference is COPY of
the same rows into the CDR table, 1,000 per transaction. Kept small (at most 20,000 rows): the
machine is shared, and the rate is per page, not per table size.
"""

import datetime
import random
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

from sources.asterisk_db import CdrDbFollower, CdrTable, connect, source_name

from ..harness import Row, fmt_int, timed
from .ingest import cdr_workload, copy_all

ROWS = 20_000
ASTERISK_TABLE = """CREATE TABLE cdr (
    accountcode VARCHAR(80), src VARCHAR(80), dst VARCHAR(80), dcontext VARCHAR(80), clid VARCHAR(80),
    channel VARCHAR(80), dstchannel VARCHAR(80), lastapp VARCHAR(80), lastdata VARCHAR(80),
    start TIMESTAMP, answer TIMESTAMP, "end" TIMESTAMP, duration INTEGER, billsec INTEGER,
    disposition VARCHAR(45), amaflags VARCHAR(45), userfield VARCHAR(256), uniqueid VARCHAR(150),
    linkedid VARCHAR(150), peeraccount VARCHAR(80), sequence INTEGER)"""
COLUMNS = ["accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata", "start",
           "answer", "end", "duration", "billsec", "disposition", "amaflags", "userfield", "uniqueid", "linkedid",
           "peeraccount", "sequence"]  # fmt: skip


def _naive(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None) if text else None


def _source_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=parts.path + "_asterisk"))


def _admin(url: str, statement: str) -> None:
    admin = urlsplit(url)._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(statement.format(name=urlsplit(url).path.lstrip("/")))


def _make_source(url: str, items: list[dict]) -> None:
    _admin(url, 'DROP DATABASE IF EXISTS "{name}"')
    _admin(url, 'CREATE DATABASE "{name}"')
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as connection:
        connection.execute(ASTERISK_TABLE)
        names = ", ".join(f'"{column}"' for column in COLUMNS)
        with connection.cursor().copy(f"COPY cdr ({names}) FROM STDIN") as copy:
            for item in items:
                row = item | {
                    "start": _naive(item["start"]),
                    "answer": _naive(item["answer"]),
                    "end": _naive(item["end"]),
                }
                copy.write_row([row.get(column, "") for column in COLUMNS])


def run(ctx) -> None:
    count = min(ctx.scale.rows, ROWS)
    prefix = f"a{int(time.time())}"
    workload = cdr_workload(count, random.Random(11), prefix)
    url = _source_url(ctx.database_url)
    _make_source(url, workload.items)
    connection = connect(url)
    try:
        follower = CdrDbFollower(table=CdrTable(connection, "cdr"), source=source_name(url, prefix), zone=datetime.UTC)
        with timed() as clock:
            outcome = follower.poll()
    finally:
        connection.close()
        _admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if outcome.created != count:
        raise SystemExit(f"bench: follow_asterisk_cdr_db created {outcome.created} of {count}")
    rate = count / clock["seconds"]
    copy_rate = count / copy_all(workload)
    ctx.report.add(
        Row(
            number="4e",
            what=f"`follow_asterisk_cdr_db` catching up on {fmt_int(count)} rows of Asterisk's `cdr` table "
            "(PostgreSQL, Asterisk's schema), pages of 1,000 stored with the cursor",
            result=f"{fmt_int(rate)} rows/s ({clock['seconds']:.1f} s)",
            reference=f"COPY of the same rows, 1,000 per transaction, one session: {fmt_int(copy_rate)} rows/s",
            comparison=f"{rate / copy_rate:.2f}x COPY",
            note=f"small scale ({fmt_int(count)} rows): the machine is shared",
        )
    )
