"""How many rows, without counting a big table: the planner's estimate, or a count that stops."""

import json

from django.db import connections
from django.db.models import QuerySet


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


def bounded_count(queryset: QuerySet, limit: int) -> tuple[int, bool]:
    """(count, exact): the exact count when at most `limit` rows match, else (limit, False).

    `SELECT COUNT(*) FROM (SELECT ... LIMIT limit+1)` reads at most limit+1 rows, whatever the
    table's size.
    """
    found = queryset.order_by().values("pk")[: limit + 1].count()
    if found > limit:
        return limit, False
    return found, True
