"""Asterisk's CDR tables, made on real PostgreSQL and MariaDB servers for the follower's tests.

ASTERISK_SCHEMA is contrib/ast-db-manage/cdr's table (210693f3123d_create_cdr_table, accountcode
widened to 80 by 54cde9847798) as alembic creates it: String(n) is VARCHAR(n), DateTime a naive
TIMESTAMP (DATETIME on MySQL), Integer INTEGER; no key. CALLDATE_SCHEMA is the older cdr_pgsql
table (calldate, no answer or end, amaflags a number), which FreePBX's cdr table also follows.
"""

import contextlib
import datetime
import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pymysql
import pytest

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Named for this test process: two suites on one machine (two checkouts, two engineers) each drop
# and recreate their own, instead of dropping the other's mid-test.
SOURCE_NAME = f"voipadmin_ast_asterisk_{os.getpid()}"
PG_SOURCE = f"postgres://postgres@127.0.0.1:5432/{SOURCE_NAME}"
MARIADB_SOURCE = f"mysql://root@127.0.0.1:3306/{SOURCE_NAME}"

ASTERISK_COLUMNS = [
    ("accountcode", "VARCHAR(80)"),
    ("src", "VARCHAR(80)"),
    ("dst", "VARCHAR(80)"),
    ("dcontext", "VARCHAR(80)"),
    ("clid", "VARCHAR(80)"),
    ("channel", "VARCHAR(80)"),
    ("dstchannel", "VARCHAR(80)"),
    ("lastapp", "VARCHAR(80)"),
    ("lastdata", "VARCHAR(80)"),
    ("start", "{datetime}"),
    ("answer", "{datetime}"),
    ("end", "{datetime}"),
    ("duration", "INTEGER"),
    ("billsec", "INTEGER"),
    ("disposition", "VARCHAR(45)"),
    ("amaflags", "VARCHAR(45)"),
    ("userfield", "VARCHAR(256)"),
    ("uniqueid", "VARCHAR(150)"),
    ("linkedid", "VARCHAR(150)"),
    ("peeraccount", "VARCHAR(80)"),
    ("sequence", "INTEGER"),
]
CALLDATE_COLUMNS = [
    ("calldate", "{datetime_tz} NOT NULL"),
    ("clid", "VARCHAR(80) NOT NULL DEFAULT ''"),
    ("src", "VARCHAR(80) NOT NULL DEFAULT ''"),
    ("dst", "VARCHAR(80) NOT NULL DEFAULT ''"),
    ("dcontext", "VARCHAR(80) NOT NULL DEFAULT ''"),
    ("channel", "VARCHAR(80) NOT NULL DEFAULT ''"),
    ("dstchannel", "VARCHAR(80) NOT NULL DEFAULT ''"),
    ("lastapp", "VARCHAR(80) NOT NULL DEFAULT ''"),
    ("lastdata", "VARCHAR(80) NOT NULL DEFAULT ''"),
    ("duration", "BIGINT NOT NULL DEFAULT 0"),
    ("billsec", "BIGINT NOT NULL DEFAULT 0"),
    ("disposition", "VARCHAR(45) NOT NULL DEFAULT ''"),
    ("amaflags", "BIGINT NOT NULL DEFAULT 0"),
    ("accountcode", "VARCHAR(20) NOT NULL DEFAULT ''"),
    ("uniqueid", "VARCHAR(150) NOT NULL DEFAULT ''"),
    ("userfield", "VARCHAR(255) NOT NULL DEFAULT ''"),
]


class SourceDb:
    """One server's test database: tables made, rows inserted as Asterisk inserts them."""

    def __init__(self, kind: str):
        self.kind = kind
        self.url = PG_SOURCE if kind == "postgres" else MARIADB_SOURCE
        self.connection = None

    def q(self, name: str) -> str:
        return f'"{name}"' if self.kind == "postgres" else f"`{name}`"

    def create(self, table: str, *, variant: str = "asterisk", with_id: bool = False) -> None:
        columns = ASTERISK_COLUMNS if variant == "asterisk" else CALLDATE_COLUMNS
        types = (
            {"datetime": "TIMESTAMP", "datetime_tz": "TIMESTAMP WITH TIME ZONE"}
            if self.kind == "postgres"
            else {"datetime": "DATETIME", "datetime_tz": "DATETIME"}
        )
        ddl = [f"{self.q(name)} {kind.format(**types)}" for name, kind in columns]
        if with_id:
            ddl.insert(
                0, "id SERIAL PRIMARY KEY" if self.kind == "postgres" else "id INTEGER AUTO_INCREMENT PRIMARY KEY"
            )
        self.execute(f"DROP TABLE IF EXISTS {self.q(table)}")
        self.execute(f"CREATE TABLE {self.q(table)} ({', '.join(ddl)})")

    def execute(self, sql: str, params=()) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)

    def insert_many(self, table: str, rows: list[dict]) -> None:
        names = ", ".join(self.q(name) for name in rows[0])
        marks = ", ".join(["%s"] * len(rows[0]))
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.q(table)} ({names}) VALUES ({marks})", [list(row.values()) for row in rows]
            )

    def insert(self, table: str, **values) -> None:
        names = ", ".join(self.q(name) for name in values)
        marks = ", ".join(["%s"] * len(values))
        self.execute(f"INSERT INTO {self.q(table)} ({names}) VALUES ({marks})", list(values.values()))


@contextlib.contextmanager
def source_db(kind: str) -> Iterator[SourceDb]:
    """A fresh database named for this helper on the real server, dropped afterwards."""
    db = SourceDb(kind)
    name = urlsplit(db.url).path.lstrip("/")
    if kind == "postgres":
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        db.connection = psycopg.connect(db.url.replace("postgres://", "postgresql://", 1), autocommit=True)
    else:
        try:
            admin = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", autocommit=True)
        except pymysql.OperationalError as error:
            pytest.fail(f"MariaDB at 127.0.0.1:3306 (root, no password) does not answer: {error}")
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        db.connection = pymysql.connect(
            host="127.0.0.1", port=3306, user="root", password="", database=name, autocommit=True, charset="utf8mb4"
        )
    try:
        yield db
    finally:
        db.connection.close()
        if kind == "postgres":
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            admin.close()


def call(n: int, *, minute: int | None = None) -> dict:
    """Call n as cdr_adaptive_odbc inserts it into Asterisk's schema: naive local times."""
    start = datetime.datetime(2026, 3, 5, 9, 0) + datetime.timedelta(minutes=minute if minute is not None else n)
    return {
        "accountcode": "",
        "src": "1001",
        "dst": "1002",
        "dcontext": "from-internal",
        "clid": '"Alice" <1001>',
        "channel": f"PJSIP/1001-{n:08x}",
        "dstchannel": f"PJSIP/1002-{n:08x}",
        "lastapp": "Dial",
        "lastdata": "PJSIP/1002,30",
        "start": start,
        "answer": start + datetime.timedelta(seconds=3),
        "end": start + datetime.timedelta(seconds=63),
        "duration": 63,
        "billsec": 60,
        "disposition": "ANSWERED",
        "amaflags": "DOCUMENTATION",
        "userfield": "",
        "uniqueid": f"1772701200.{n}",
        "linkedid": f"1772701200.{n}",
        "peeraccount": "",
        "sequence": n,
    }
