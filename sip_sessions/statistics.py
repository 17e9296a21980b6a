"""Planner statistics of the SIP event partitions, kept by the console itself.

The product must not depend on autovacuum (it may be off, as it is on the benchmark host): a month
partition created empty and then filled by ingest, or one whose pending events reconciliation just
bound, would otherwise keep the statistics of its empty or pending past, and the planner would
pick plans for a table that no longer exists. After every run reconciliation applies autovacuum's
own analyze rule to each partition: ANALYZE it when the rows changed since its last ANALYZE exceed
`threshold + scale x rows`. The changes are PostgreSQL's counters (ingest and deletes included)
or, when larger, the run's own count (a backend's counters reach the shared view up to a second
late). A partition never analyzed counts as empty. On SQLite this does nothing.

VACUUM is the beat's (`vacuum_dead_partitions`, every ANALYZE_INTERVAL seconds), not the run's:
every event reconciliation binds leaves its old version dead in the heap and in every index, and
where autovacuum is off nothing else makes that space reusable (the partitions and their indexes
would grow by a row version per bound event, and the pending index would keep an entry per bound
event to skip). A VACUUM reads every index of the partition whole, seconds at millions of rows,
which a run should not add to the time it holds the events' locks.
"""

import logging

from django.db import connection, models

from voipadmin.partitions import is_partitioned
from voipadmin.table_statistics import analyze_due

logger = logging.getLogger(__name__)

# autovacuum_analyze_scale_factor's default; the threshold is higher than autovacuum's 50 so that a
# partition filling at a few events a second is not analyzed every minute.
ANALYZE_SCALE = 0.1
ANALYZE_THRESHOLD = 1000
# autovacuum_vacuum_scale_factor's default, over dead row versions; the same threshold as above.
VACUUM_SCALE = 0.2
VACUUM_THRESHOLD = 1000


def _partitions(model: type[models.Model], counter: str) -> list[tuple[str, float, int]]:
    """(name, rows as the planner knows them, `counter` of pg_stat_user_tables) of each partition."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.relname, c.reltuples, COALESCE(s.{counter}, 0)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE i.inhparent = %s::regclass ORDER BY c.relname
            """,
            [model._meta.db_table],
        )
        return cursor.fetchall()


def _run_on_each(statement: str, names: list[str]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"{statement} {quote(name)}")


def analyze_stale_partitions(
    model: type[models.Model],
    changed: dict[str, int] | None = None,
    *,
    scale: float = ANALYZE_SCALE,
    threshold: int = ANALYZE_THRESHOLD,
) -> list[str]:
    """ANALYZE each partition of `model` whose changes since its last ANALYZE pass the rule;
    `changed` maps partition names to rows the caller itself changed. Returns the names analyzed."""
    if not is_partitioned(model):
        return []
    changed = changed or {}
    stale = [
        name
        for name, rows, modified in _partitions(model, "n_mod_since_analyze")
        if analyze_due(max(modified, changed.get(name, 0)), max(rows, 0), threshold=threshold, scale=scale)
    ]
    _run_on_each("ANALYZE", stale)
    if stale:
        logger.info("analyzed %s", ", ".join(stale))
    return stale


def vacuum_dead_partitions(
    model: type[models.Model], *, scale: float = VACUUM_SCALE, threshold: int = VACUUM_THRESHOLD
) -> list[str]:
    """VACUUM each partition of `model` whose dead row versions (PostgreSQL's n_dead_tup) pass
    autovacuum's vacuum rule, `threshold + scale x rows`. Returns the names vacuumed.

    VACUUM cannot run in a transaction: on the connection's autocommit, outside any atomic block.
    SKIP_LOCKED passes over a partition another VACUUM (or a DDL) holds."""
    if not is_partitioned(model) or connection.in_atomic_block:
        return []
    dead = [
        name
        for name, rows, dead_rows in _partitions(model, "n_dead_tup")
        if dead_rows and analyze_due(dead_rows, max(rows, 0), threshold=threshold, scale=scale)
    ]
    _run_on_each("VACUUM (SKIP_LOCKED)", dead)
    if dead:
        logger.info("vacuumed %s", ", ".join(dead))
    return dead
