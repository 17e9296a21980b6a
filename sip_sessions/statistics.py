"""Planner statistics of the SIP event partitions, kept by the console itself.

The product must not depend on autovacuum (it may be off, as it is on the benchmark host): a month
partition created empty and then filled by ingest, or one whose pending events reconciliation just
bound, would otherwise keep the statistics of its empty or pending past, and the planner would
pick plans for a table that no longer exists. After every run reconciliation applies autovacuum's
own analyze rule to each partition: ANALYZE it when the rows changed since its last ANALYZE exceed
`threshold + scale x rows`. The changes are PostgreSQL's counters (ingest and deletes included)
or, when larger, the run's own count (a backend's counters reach the shared view up to a second
late). A partition never analyzed counts as empty. On SQLite this does nothing.
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
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.reltuples, COALESCE(s.n_mod_since_analyze, 0)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE i.inhparent = %s::regclass ORDER BY c.relname
            """,
            [model._meta.db_table],
        )
        stale = [
            name
            for name, rows, modified in cursor.fetchall()
            if analyze_due(max(modified, changed.get(name, 0)), max(rows, 0), threshold=threshold, scale=scale)
        ]
        quote = connection.ops.quote_name
        for name in stale:
            cursor.execute(f"ANALYZE {quote(name)}")
    if stale:
        logger.info("analyzed %s", ", ".join(stale))
    return stale
