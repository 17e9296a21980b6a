"""Asterisk's CDR database table (cdr_pgsql, cdr_adaptive_odbc) followed into the console.

Asterisk's own schema (contrib/ast-db-manage/cdr) is a `cdr` table with the CDR's field names and
naive `start`/`answer`/`end` times, local unless the PBX writes UTC (cdr_pgsql `timezone=UTC`,
cdr_adaptive_odbc `usegmtime=yes`); older cdr_pgsql tables and FreePBX have `calldate` (the start)
and no answer or end; an integer `disposition` or `amaflags` column gets Asterisk's numbers. The
table has no key of its own; operators often add an `id`.

Rows are read in the order of a column that grows as Asterisk inserts: `id` when the table has one,
else `end`, else `calldate`. Rows can commit behind that order (two inserts committing out of id
order; cdr.conf batch mode posting late; a calldate table, where a long call's row arrives with an
old start), so every poll reads again from `lookback` behind the highest key stored (ids for
`id`, seconds for a time): rows this process stored are passed over, and the store's identity rule
(uniqueid + sequence) makes any other repeat a no-op. Each page is stored with the cursor
(sources.cursors) in one transaction of the console's database, so a restart anywhere, even in the
middle of a batch, neither skips nor doubles a row.
"""

import dataclasses
import datetime
import decimal
import hashlib
from collections.abc import Callable, Iterator
from urllib.parse import unquote, urlsplit

from django.db import transaction

from cdr.services.asterisk_csv import DISPOSITION_CODES, RecordError, record_from_columns
from cdr.services.ingest import cdrs_ingest
from cdr.services.store import first_of_each_call, stored_starts

from .cursors import cursor_advance, cursor_lock

TEXT_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "disposition",
    "amaflags",
    "userfield",
    "uniqueid",
    "linkedid",
    "peeraccount",
)
KEYS = ("id", "end", "calldate")
# How far behind the newest stored row each poll reads again, by key column: ids; seconds of end
# (cdr.conf batch mode posts up to `time`, 300 s by default, late); seconds of calldate (a row
# arrives when the call ends, with its start: the longest call, plus the batch delay).
LOOKBACK = {"id": 1000, "end": 600, "calldate": 3600}
BATCH_ROWS = 1000
UNSET_BEFORE_YEAR = 1971


class SourceError(Exception):
    """The source database or table is not what the follower can read; the message says why."""


@dataclasses.dataclass(frozen=True)
class Problem:
    key: object
    reason: str


@dataclasses.dataclass
class PollOutcome:
    read: int = 0
    created: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)


def connect(url: str):
    """A DB-API connection to Asterisk's database: postgres://... (psycopg) or mysql://... (PyMySQL)."""
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        import psycopg

        try:
            return psycopg.connect(url, autocommit=True)
        except psycopg.Error as error:
            raise SourceError(f"cannot connect to {parts.hostname}: {error}") from None
    if parts.scheme in ("mysql", "mariadb"):
        import pymysql

        try:
            return pymysql.connect(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 3306,
                user=unquote(parts.username or "root"),
                password=unquote(parts.password or ""),
                database=parts.path.lstrip("/"),
                charset="utf8mb4",
                autocommit=True,
            )
        except pymysql.MySQLError as error:
            raise SourceError(f"cannot connect to {parts.hostname}: {error}") from None
    raise SourceError(f"--url must be postgres://... or mysql://..., not {parts.scheme or url!r}")


class CdrTable:
    """Asterisk's CDR table on one connection: its columns, its key, pages of rows by the key."""

    def __init__(self, connection, table: str):
        self.connection = connection
        self.table = table
        self.mysql = type(connection).__module__.startswith("pymysql")
        self.columns = self._columns()
        if not self.columns:
            raise SourceError(f"no table {table!r} in that database")
        self.key = next((name for name in KEYS if name in self.columns), None)
        missing = [name for name in ("uniqueid", "duration", "billsec", "disposition") if name not in self.columns]
        if self.key is None or missing or not {"start", "calldate"} & set(self.columns):
            raise SourceError(
                f"{table!r} is not Asterisk's CDR table (needs uniqueid, start or calldate, duration, billsec, "
                f"disposition; missing {', '.join(missing) or 'start/calldate'})"
            )

    def _quote(self, name: str) -> str:
        return f"`{name}`" if self.mysql else f'"{name}"'

    def _columns(self) -> dict[str, str]:
        schema = "DATABASE()" if self.mysql else "current_schema()"
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                f"WHERE table_schema = {schema} AND table_name = %s",
                [self.table],
            )
            return {name.lower(): kind.lower() for name, kind in cursor.fetchall()}

    def page(self, *, low, after: tuple | None, size: int) -> list[dict]:
        """Rows with key > low (all when None), after `after` (key, uniqueid, sequence) in that order."""
        q = self._quote
        # COALESCE: a NULL in a row value comparison would end the paging early
        order = [q(self.key), f"COALESCE({q('uniqueid')}, '')"]
        if "sequence" in self.columns:
            order.append(f"COALESCE({q('sequence')}, 0)")
        where, params = [], []
        if low is not None:
            where.append(f"{q(self.key)} > %s")
            params.append(low)
        if after is not None:
            where.append(f"({', '.join(order)}) > ({', '.join(['%s'] * len(order))})")
            params.extend(after[: len(order)])
        names = ", ".join(q(name) for name in self.columns)
        sql = f"SELECT {names} FROM {q(self.table)}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {', '.join(order)} LIMIT {int(size)}"
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            labels = [column[0].lower() for column in cursor.description]
            return [dict(zip(labels, values, strict=True)) for values in cursor.fetchall()]


def _text(value) -> str:
    if value is None or value == "0000-00-00 00:00:00":  # MySQL's zero date: an unset time
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float | decimal.Decimal):
        return str(int(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def row_values(row: dict) -> dict[str, str]:
    """A table row as the column texts record_from_columns reads (Asterisk's numbers as words)."""
    values = {name: _text(row.get(name)) for name in TEXT_COLUMNS}
    if isinstance(row.get("disposition"), int):
        values["disposition"] = DISPOSITION_CODES.get(row["disposition"], "UNKNOWN")
    values["duration"], values["billsec"] = _text(row.get("duration")) or "0", _text(row.get("billsec")) or "0"
    values["start"] = _text(row["start"] if "start" in row else row["calldate"])
    for name in ("answer", "end"):
        if name in row:
            values[name] = _text(row[name])
    answer = row.get("answer")
    if isinstance(answer, datetime.datetime) and answer.year < UNSET_BEFORE_YEAR:
        values["answer"] = ""  # cdr_pgsql writes an unanswered call's answer as the epoch, in local time
    if row.get("sequence") is None:
        # no sequence column (or NULL): one derived from the row, negative, as for Master.csv
        digest = hashlib.sha1(repr(sorted(values.items())).encode(), usedforsecurity=False).hexdigest()
        values["sequence"] = str(-(int(digest[:8], 16) & 0x7FFFFFFF))
    else:
        values["sequence"] = str(row["sequence"])
    return values


def source_name(url: str, table: str) -> str:
    """The cursor's name: where the table is, without the password."""
    parts = urlsplit(url)
    return f"asterisk-cdr-db:{parts.scheme}://{parts.hostname}:{parts.port or ''}{parts.path}/{table}"


def _json_key(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def _from_json_key(value):
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) else value


class CdrDbFollower:
    """Follows one CDR table; `poll()` stores every row committed since, page by page."""

    def __init__(
        self,
        *,
        table: CdrTable,
        source: str,
        zone: datetime.tzinfo,
        batch_size: int = BATCH_ROWS,
        lookback: int | None = None,
        on_problem: Callable[[Problem], None] | None = None,
        recent: dict | None = None,
    ):
        self.table = table
        self.source = source
        self.zone = zone
        self.batch_size = batch_size
        self.lookback = lookback if lookback is not None else LOOKBACK[table.key]
        self.on_problem = on_problem or (lambda problem: None)
        # identities stored (by this process or before it) and rows reported -> their key; a caller
        # polling again with new followers (beat) hands the same dict in
        self._recent: dict[tuple, object] = {} if recent is None else recent

    def _low(self, position: dict):
        if "key" not in position:
            return None
        high = _from_json_key(position["key"])
        if isinstance(high, datetime.datetime):
            return high - datetime.timedelta(seconds=self.lookback)
        return high - self.lookback

    def _pages(self, low) -> Iterator[list[dict]]:
        after = None
        while True:
            rows = self.table.page(low=low, after=after, size=self.batch_size)
            if rows:
                yield rows
            if len(rows) < self.batch_size:
                return
            last = rows[-1]
            after = (last[self.table.key], last["uniqueid"] or "", last.get("sequence") or 0)

    def poll(self) -> PollOutcome:
        outcome = PollOutcome()
        with transaction.atomic():
            position = cursor_lock(source=self.source).position
        known = _from_json_key(position["key"]) if "key" in position else None
        for rows in self._pages(self._low(position)):
            outcome.read += len(rows)
            records = self._records(rows, outcome, known)
            high = rows[-1][self.table.key]
            with transaction.atomic():
                cursor = cursor_lock(source=self.source)
                stored = cursor.position.get("key")
                keys = [record.pop("_key") for record in records]
                outcome.created += cdrs_ingest(items=records)
                if stored is None or _from_json_key(stored) < high:
                    cursor_advance(cursor=cursor, position={"key": _json_key(high), "table": self.table.table})
            for record, key in zip(records, keys, strict=True):
                self._recent[(record["uniqueid"], record["sequence"])] = key
        self._forget(position)
        return outcome

    def _records(self, rows: list[dict], outcome: PollOutcome, known) -> list[dict]:
        """The page's rows as CDR records, less those known stored: remembered, or found stored
        by one look at the console's table (the rows of the re-read window, key <= `known`, the
        cursor's key when the poll began; rows past it are new to the follower)."""
        records = []
        for row in rows:
            key = row[self.table.key]
            try:
                record = record_from_columns(row_values(row), zone=self.zone)
            except RecordError as error:
                reported = ("problem", _json_key(key), row.get("uniqueid"))
                if reported not in self._recent:  # once, not at every poll of the window
                    self._recent[reported] = key
                    problem = Problem(_json_key(key), str(error))
                    outcome.problems.append(problem)
                    self.on_problem(problem)
                continue
            if (record["uniqueid"], record["sequence"]) not in self._recent:
                record["_key"] = key
                records.append(record)
        window = [record for record in records if known is not None and record["_key"] <= known]
        if not window:
            return records
        fresh = first_of_each_call(window, stored_starts(window)) + [
            record for record in records if known is None or record["_key"] > known
        ]
        kept = {id(record) for record in fresh}
        for record in records:
            if id(record) not in kept:
                self._recent[(record["uniqueid"], record["sequence"])] = record["_key"]
        return fresh

    def _forget(self, position: dict) -> None:
        """Drop remembered identities that fell out of the lookback window."""
        low = self._low(position)
        if low is not None:
            kept = {identity: key for identity, key in self._recent.items() if key > low}
            self._recent.clear()
            self._recent.update(kept)
