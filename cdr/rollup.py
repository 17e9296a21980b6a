"""The CDR rollup (cdr.models.CdrRollup): calls and billsec per 15 minutes (UTC) and disposition.

Kept exact by statement triggers on cdr_cdr, so every write path keeps it (the store, the
importers, the API, the demo, filtered deletes, retention's trims, the admin, a factory, psql):
AFTER INSERT / DELETE / UPDATE read the statement's transition table and append one row of
differences per (bucket, disposition) it touched; TRUNCATE empties it. Nothing is updated in place,
so two transactions ingesting calls of the same 15 minutes never wait for each other; beat folds a
bucket's rows into one (`rollup_compact`). A month partition dropped by retention fires no trigger:
`rollup_after_retention` rebuilds what lies before the cutoff. 15 minutes divide every bucket a
chart draws in a zone whose offset is whole quarter hours (all of today's, DST days of 23 or 25
hours included), so a chart's bucket is an exact sum of them.

Every writer takes a shared advisory lock, a rebuild the exclusive one: a rebuild waits for the
writers in flight and sees their rows; a writer that starts during it adds its differences after.
PostgreSQL only; on SQLite the chart counts the rows themselves.
"""

import contextlib
import datetime
from collections.abc import Iterator

from django.db import connection, transaction

BUCKET_SECONDS = 900
# pg_advisory_xact_lock(LOCK_CLASS, 1): writers shared, rebuilds exclusive; (LOCK_CLASS, 2): one compactor.
LOCK_CLASS = 0x43445252  # "CDRR"
TABLE = "cdr_cdrrollup"
BUCKET_SQL = "date_bin(INTERVAL '15 minutes', {column}, TIMESTAMPTZ 'epoch')"
TRIGGERS = ("insert", "delete", "update", "truncate")


def _differences(rows: str, sign: str) -> str:
    bucket = BUCKET_SQL.format(column="start")
    sums = f"{sign}count(*) AS calls, {sign}sum(billsec) AS billsec"
    return f"SELECT {bucket} AS bucket, disposition, {sums} FROM {rows} GROUP BY 1, 2"


_APPEND = f"INSERT INTO {TABLE} (bucket, disposition, calls, billsec) "
_FUNCTIONS = {
    "insert": f"{_APPEND}{_differences('new_rows', '')};",
    "delete": f"{_APPEND}{_differences('old_rows', '-')};",
    "update": (
        f"{_APPEND}SELECT bucket, disposition, sum(calls), sum(billsec) FROM ("
        f"{_differences('new_rows', '')} UNION ALL {_differences('old_rows', '-')}) changed "
        "GROUP BY 1, 2 HAVING sum(calls) <> 0 OR sum(billsec) <> 0;"
    ),
}
_REFERENCING = {"insert": "NEW TABLE AS new_rows", "delete": "OLD TABLE AS old_rows"}
_REFERENCING["update"] = "OLD TABLE AS old_rows NEW TABLE AS new_rows"


def install_sql() -> list[str]:
    """The trigger functions and triggers (the migration runs these; `manage.py rebuild_cdr_rollup` fills)."""
    statements = []
    for event, body in _FUNCTIONS.items():
        rows = "new_rows" if event == "insert" else "old_rows"
        statements.append(
            f"CREATE OR REPLACE FUNCTION cdr_rollup_{event}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NOT EXISTS (SELECT FROM {rows}) THEN RETURN NULL; END IF; "
            f"PERFORM pg_advisory_xact_lock_shared({LOCK_CLASS}, 1); {body} RETURN NULL; END $$"
        )
        statements.append(
            f"CREATE TRIGGER cdr_rollup_{event} AFTER {event.upper()} ON cdr_cdr REFERENCING {_REFERENCING[event]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION cdr_rollup_{event}()"
        )
    statements.append(
        "CREATE OR REPLACE FUNCTION cdr_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM pg_advisory_xact_lock({LOCK_CLASS}, 1); DELETE FROM {TABLE}; RETURN NULL; END $$"
    )
    statements.append(
        "CREATE TRIGGER cdr_rollup_truncate AFTER TRUNCATE ON cdr_cdr "
        "FOR EACH STATEMENT EXECUTE FUNCTION cdr_rollup_truncate()"
    )
    return statements


def uninstall_sql() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS cdr_rollup_{event} ON cdr_cdr" for event in TRIGGERS] + [
        f"DROP FUNCTION IF EXISTS cdr_rollup_{event}()" for event in TRIGGERS
    ]


def rollup_fill_sql() -> str:
    """Rows for every stored CDR, into an empty rollup (the migration that creates it)."""
    return f"{_APPEND}{_differences('cdr_cdr', '')} ORDER BY 1, 2"


@contextlib.contextmanager
def rollup_suspended() -> Iterator[None]:
    """A bulk load by COPY without the triggers (one statement of millions of rows would hold them
    all in its transition table); `rollup_rebuild()` afterwards. Nothing else may write meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE cdr_cdr DISABLE TRIGGER cdr_rollup_insert")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE cdr_cdr ENABLE TRIGGER cdr_rollup_insert")


def kept() -> bool:
    """Whether this database keeps the rollup (PostgreSQL)."""
    return connection.vendor == "postgresql"


def bucket_floor(moment: datetime.datetime) -> datetime.datetime:
    seconds = int(moment.timestamp()) // BUCKET_SECONDS * BUCKET_SECONDS
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def bucket_ceiling(moment: datetime.datetime) -> datetime.datetime:
    floor = bucket_floor(moment)
    return floor if floor == moment else floor + datetime.timedelta(seconds=BUCKET_SECONDS)


def rollup_rebuild(*, since: datetime.datetime | None = None, until: datetime.datetime | None = None) -> int:
    """Recount the rollup from the rows for calls started in [since, until) (widened to whole
    buckets; open ends: all); returns the rollup rows written. One transaction, holding the
    exclusive lock: writers in flight finish first, writers that start wait for its commit."""
    if not kept():
        return 0
    conditions, params = [], []
    if since is not None:
        conditions.append("{column} >= %s")
        params.append(bucket_floor(since))
    if until is not None:
        conditions.append("{column} < %s")
        params.append(bucket_ceiling(until))

    def where(column: str) -> str:
        return (" WHERE " + " AND ".join(conditions).format(column=column)) if conditions else ""

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, 1)", [LOCK_CLASS])
        cursor.execute(f"DELETE FROM {TABLE}{where('bucket')}", params)
        # in bucket order: a range's rows sit together on disk
        cursor.execute(f"{_APPEND}{_differences('cdr_cdr' + where('start'), '')} ORDER BY 1, 2", params)
        return cursor.rowcount


def rollup_compact() -> int:
    """Fold each bucket's rows of differences into one (none where they cancel out); returns the
    rows removed. Concurrent writers go on appending; a second compactor skips this round."""
    if not kept():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, 2)", [LOCK_CLASS])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 1)", [LOCK_CLASS])
        cursor.execute(
            f"WITH folded AS (SELECT bucket, disposition FROM {TABLE} GROUP BY 1, 2 "
            "HAVING count(*) > 1 OR sum(calls) = 0 AND sum(billsec) = 0), "
            f"gone AS (DELETE FROM {TABLE} r USING folded WHERE r.bucket = folded.bucket "
            "AND r.disposition = folded.disposition RETURNING r.bucket, r.disposition, r.calls, r.billsec), "
            "summed AS (SELECT bucket, disposition, sum(calls) AS calls, sum(billsec) AS billsec, count(*) AS folded "
            "FROM gone GROUP BY 1, 2), "
            f"kept AS ({_APPEND}SELECT bucket, disposition, calls, billsec FROM summed "
            "WHERE calls <> 0 OR billsec <> 0 RETURNING 1) "
            "SELECT (SELECT coalesce(sum(folded), 0) FROM summed) - (SELECT count(*) FROM kept)"
        )
        return int(cursor.fetchone()[0])


def rollup_after_retention(cutoff: datetime.datetime) -> int:
    """Retention dropped the months before `cutoff` and trimmed its own month: recount what is left
    before the cutoff's bucket end (a few rows; the dropped months' rollup rows go with it)."""
    return rollup_rebuild(until=cutoff)
