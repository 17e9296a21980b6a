"""How many rows, without counting a big table: a count that stops at a cap, or the planner's guess.

A person reads a report's count as the size of what they selected, so the list pages show only
`capped_count`: exact up to the cap, "N+" past it. The planner's estimate is kept for machines
(the admin's paginator, the bench) and is never shown as the size of a filtered selection.
"""

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.models import QuerySet

from .caching import remembered

logger = logging.getLogger(__name__)


def estimate_rows(queryset: QuerySet) -> int | None:
    """The PostgreSQL planner's row estimate for the selection (planning only, about a millisecond).

    None where the database cannot say (SQLite, or a table never analysed and still empty).
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    rows = int(plan[0]["Plan"]["Plan Rows"])
    return rows if rows >= 0 else None


def recent_estimate(queryset: QuerySet) -> int | None:
    """`estimate_rows`, kept for a minute: planning a query over a partitioned table costs more
    than a page's own query (11 ms for the SIP Sessions' pending line at 1M rows)."""
    sql, params = queryset.order_by().query.sql_with_params()
    return remembered(("estimate", queryset.db, sql, tuple(map(str, params))), lambda: estimate_rows(queryset))


def bounded_count(queryset: QuerySet, limit: int) -> tuple[int, bool]:
    """(count, exact): the exact count when at most `limit` rows match, else (limit, False).

    `SELECT COUNT(*) FROM (SELECT ... LIMIT limit+1)` reads at most limit+1 rows, whatever the
    table's size.
    """
    found = queryset.order_by().values("pk")[: limit + 1].count()
    if found > limit:
        return limit, False
    return found, True


@dataclass(frozen=True)
class RowCount:
    """A count a person can trust: `value` exactly, or at least `value` rows (shown "N+")."""

    value: int
    exact: bool

    @property
    def text(self) -> str:
        figure = f"{self.value:,}"
        if not self.exact:
            return f"{figure}+ rows"
        return f"{figure} row" if self.value == 1 else f"{figure} rows"


@contextmanager
def time_limited(alias: str, timeout_ms: int | None):
    """A savepoint whose statements get `timeout_ms` on PostgreSQL (OperationalError past it).

    `set_config(..., true)` lasts to the end of the transaction, not of the savepoint, so the
    previous value is put back on the way out: an outer transaction (a test, ATOMIC_REQUESTS) keeps
    its own timeout. A savepoint rolled back by the timeout reverts the setting by itself.
    """
    connection = connections[alias]
    limited = connection.vendor == "postgresql" and bool(timeout_ms)
    with transaction.atomic(using=alias):
        before = None
        if limited:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)",
                    [f"{int(timeout_ms)}ms"],
                )
                before = cursor.fetchone()[0]
        yield
        if limited:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])


# A count below the cap that took this long is kept for a minute too (a filter no index serves).
SLOW_COUNT_MS = 50


def list_count(queryset: QuerySet, *, key: tuple, at_least: int = 0) -> RowCount:
    """`capped_count` of a list page, kept for a minute when it is not exact ("N+") or was slow:
    `key` names the selection (report, filters, viewer's zone)."""

    def make() -> tuple[RowCount, bool]:
        started = time.perf_counter()
        count = capped_count(queryset, at_least=at_least)
        return count, (time.perf_counter() - started) * 1000 >= SLOW_COUNT_MS

    parts = ("count", *key, count_cap(), settings.REPORT_COUNT_TIMEOUT_MS)
    count, _slow = remembered(parts, make, keep=lambda answer: not answer[0].exact or answer[1])
    if not count.exact and count.value < at_least:
        # a count that ran out of time on a smaller page: at least the rows this page knows of
        return RowCount(value=at_least, exact=False)
    return count


def count_cap() -> int:
    return max(1, int(settings.REPORT_COUNT_CAP))


def capped_count(
    queryset: QuerySet, *, cap: int | None = None, at_least: int = 0, timeout_ms: int | None = None
) -> RowCount:
    """The selection's size, exact up to `cap` (REPORT_COUNT_CAP), else "cap+".

    Reads at most cap+1 rows. On PostgreSQL the count gets `timeout_ms` (REPORT_COUNT_TIMEOUT_MS):
    a filter no index serves on a huge table would otherwise scan it; then the page says only
    what it knows, "`at_least`+" (the rows it is showing and one more page).
    """
    cap = count_cap() if cap is None else cap
    timeout_ms = settings.REPORT_COUNT_TIMEOUT_MS if timeout_ms is None else timeout_ms
    try:
        with time_limited(queryset.db, timeout_ms):
            found, exact = bounded_count(queryset, cap)
    except OperationalError as error:
        logger.info("report count stopped: %s", error)
        return RowCount(value=at_least, exact=False)
    return RowCount(value=found, exact=exact)
