"""Filters that select a given number of rows, as the filter bar would send them."""

import zoneinfo

from django.db import connection

from .context import VIEWER_ZONE


def time_leaving(table: str, column: str, where: str, rows: int, *, newest: bool) -> str:
    """The time that leaves `rows` rows matching `where` on its side (the newest or the oldest),
    in the viewer's wall-clock time, `YYYY-MM-DDTHH:MM:SS`, as a date-range filter takes it."""
    order = "DESC" if newest else "ASC"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE {where} ORDER BY {column} {order}, id {order} OFFSET %s LIMIT 1",
            [rows - 1],
        )
        moment = cursor.fetchone()[0]
    return f"{moment.astimezone(zoneinfo.ZoneInfo(VIEWER_ZONE)):%Y-%m-%dT%H:%M:%S}"
