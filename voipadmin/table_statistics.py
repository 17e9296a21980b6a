"""The planner's statistics, kept by the console itself: ANALYZE of what changed a lot.

PostgreSQL's autovacuum is what normally runs ANALYZE; where it is off, a partition the ingest
created and filled, or a month an import loaded, has no statistics at all, and the planner's
estimates for it are guesses (a sort or a join planned for 1 row meets a million). The console
does not depend on it: `analyze_changed` (the beat's `analyze-tables`, every ANALYZE_INTERVAL
seconds, and the end of a whole-file import) analyzes each table of the schema whose rows changed
by more than ANALYZE_THRESHOLD + ANALYZE_SCALE_PERCENT % of its rows since its last ANALYZE
(autovacuum's own rule, on PostgreSQL's own counters in pg_stat_user_tables, kept with autovacuum
off), or which has pages and was never analyzed (a new partition; counters reset by a crash).
A partitioned table is analyzed as a whole (its statistics over all the months, which autovacuum
never makes; each partition's with them) when it never was, or when its due partitions changed by
its own share of rows; otherwise each due partition alone. Never on an ingest request: one ANALYZE
samples 30,000 rows whatever the table's size, a fraction of a second that a beat task can spend
and a request should not. On SQLite it does nothing.
"""

import logging

from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

# A table is analyzed by one run at a time (a second one would only wait on the first's lock).
LOCK_PREFIX = "voipadmin.analyze:"

STALE_SQL = """
    SELECT c.oid::regclass::text, s.n_mod_since_analyze, parent.oid::regclass::text, parent.reltuples
    FROM pg_stat_user_tables s
    JOIN pg_class c ON c.oid = s.relid
    LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
    LEFT JOIN pg_class parent ON parent.oid = i.inhparent AND parent.relkind = 'p'
    WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
      AND (s.n_mod_since_analyze > %s + %s * greatest(c.reltuples, 0)
           OR (c.reltuples < 0 AND pg_relation_size(c.oid) > 0))
    ORDER BY 1
"""


def analyze_due(changed: float, rows: float, *, threshold: float | None = None, scale: float | None = None) -> bool:
    """Autovacuum's analyze rule: rows changed since the last ANALYZE past `threshold + scale x rows`
    (ANALYZE_THRESHOLD and ANALYZE_SCALE_PERCENT unless given); a table never analyzed (rows < 0)
    is due."""
    threshold = settings.ANALYZE_THRESHOLD if threshold is None else threshold
    scale = settings.ANALYZE_SCALE_PERCENT / 100 if scale is None else scale
    return rows < 0 or changed > threshold + scale * rows


def stale_tables(using: str = "default") -> list[str]:
    """The tables due an ANALYZE, in the order `analyze_changed` takes them.

    A partitioned table never analyzed, or whose due partitions' changes are its share of its
    rows, is due itself, and its partitions with it: on PostgreSQL before 17 an ANALYZE of a
    partitioned table analyzes each partition too (and there is no ANALYZE ONLY), so they are not
    named again. Otherwise each due partition is analyzed alone.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(STALE_SQL, [settings.ANALYZE_THRESHOLD, settings.ANALYZE_SCALE_PERCENT / 100])
        stale = cursor.fetchall()
    changes: dict[str, float] = {}
    parent_rows: dict[str, float] = {}
    for _table, changed, parent, rows in stale:
        if parent:
            changes[parent] = changes.get(parent, 0) + changed
            parent_rows[parent] = rows
    whole = {parent for parent, changed in changes.items() if analyze_due(changed, parent_rows[parent])}
    return [table for table, _changed, parent, _rows in stale if parent not in whole] + sorted(whole)


def analyze_changed(using: str = "default") -> list[str]:
    """ANALYZE every table `stale_tables` names; returns the names analyzed, in that order. Each in
    its own transaction, under a transaction-level advisory lock of that table (PgBouncer's
    transaction mode keeps no session lock): a table another run is analyzing is skipped."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    done: list[str] = []
    for table in stale_tables(using):
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [f"{LOCK_PREFIX}{table}"])
            if not cursor.fetchone()[0]:
                continue
            # a name from the catalogue, quoted by regclass::text where it needs to be
            cursor.execute(f"ANALYZE {table}")
        done.append(table)
    if done:
        logger.info("analyzed %s", ", ".join(done))
    return done
