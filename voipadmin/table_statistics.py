"""The planner's statistics, kept by the console itself: ANALYZE of what changed a lot.

PostgreSQL's autovacuum is what normally runs ANALYZE; where it is off, a partition the ingest
created and filled, or a month an import loaded, has no statistics at all, and the planner's
estimates for it are guesses (a sort or a join planned for 1 row meets a million). The console
does not depend on it: `analyze_changed` (the beat's `analyze-tables`, every ANALYZE_INTERVAL
seconds, and the end of a whole-file import) analyzes each table of the schema whose rows changed
by more than ANALYZE_THRESHOLD + ANALYZE_SCALE_PERCENT % of its rows since its last ANALYZE
(autovacuum's own rule, on PostgreSQL's own counters in pg_stat_user_tables, kept with autovacuum
off), or which has pages and was never analyzed (a new partition; counters reset by a crash).
Each partitioned table one of whose partitions it analyzed is analyzed after them (its statistics
over all the months, which autovacuum never makes). Never on an ingest request: one ANALYZE
samples 30,000 rows whatever the table's size, a fraction of a second that a beat task can spend
and a request should not. On SQLite it does nothing.
"""

import logging

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

# One run at a time across the cluster (a second one would only wait on the first's locks).
LOCK_KEY = "voipadmin.table_statistics"

STALE_SQL = """
    SELECT c.oid::regclass::text, parent.oid::regclass::text
    FROM pg_stat_user_tables s
    JOIN pg_class c ON c.oid = s.relid
    LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
    LEFT JOIN pg_class parent ON parent.oid = i.inhparent AND parent.relkind = 'p'
    WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
      AND (s.n_mod_since_analyze > %s + %s * greatest(c.reltuples, 0)
           OR (c.reltuples < 0 AND pg_relation_size(c.oid) > 0))
    ORDER BY 1
"""


def stale_tables(using: str = "default") -> list[tuple[str, str | None]]:
    """(table, its partitioned parent or None) for each table due an ANALYZE."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(STALE_SQL, [settings.ANALYZE_THRESHOLD, settings.ANALYZE_SCALE_PERCENT / 100])
        return list(cursor.fetchall())


def analyze_changed(using: str = "default") -> list[str]:
    """ANALYZE every stale table (stale_tables), then the partitioned tables of those that are
    partitions; returns the names analyzed, in that order. Skipped (returns []) while another run
    holds the lock."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    done: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return []
        try:
            stale = stale_tables(using)
            parents = sorted({parent for _table, parent in stale if parent})
            for table in [table for table, _parent in stale] + parents:
                # names from the catalogue, already quoted by regclass::text where needed
                cursor.execute(f"ANALYZE {table}")
                done.append(table)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [LOCK_KEY])
    if done:
        logger.info("analyzed %s", ", ".join(done))
    return done
