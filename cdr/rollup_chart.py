"""The CDR chart from the rollup (cdr.rollup) where it can answer the selection exactly.

It can when the selection is a time range and dispositions only, and every bucket edge is a
quarter hour (any zone of whole quarter-hour offsets, DST days included). The whole quarter hours
inside the range are summed from the rollup, the partial ones at its two ends counted from the
rows of the selection itself, in one statement (one snapshot: the two halves agree with each
other and with the list). Any other filter, or SQLite: None, and the chart counts the rows.
"""

import datetime

from django.db import connections
from django.db.models import Q

from voipadmin.reports.charts import grouped
from voipadmin.reports.filters import Selection

from .rollup import BUCKET_SECONDS, TABLE, bucket_ceiling, bucket_floor

# The filters the rollup holds: the range of `start`, and the disposition it is keyed by.
ANSWERABLE = frozenset({"start", "disposition"})


def rollup_counts(
    selection: Selection, edges: list[datetime.datetime], start: datetime.datetime, stop: datetime.datetime
) -> list[tuple] | None:
    """count_rows' (position, disposition, calls, billsec) rows of the selection, or None."""
    database = selection.queryset.db
    connection = connections[database]
    if connection.vendor != "postgresql" or selection.filtered_by() - ANSWERABLE:
        return None
    if any(edge.timestamp() % BUCKET_SECONDS for edge in edges):
        return None  # a zone whose offset is not whole quarter hours (or a step below 15 minutes)
    inner_start, inner_stop = bucket_ceiling(start), bucket_floor(stop)
    if inner_stop <= inner_start:
        return None
    chart = selection.report.chart
    # each end bounded on both sides: two short ranges of the time index, not the month between them
    edge_rows = selection.queryset.filter(
        Q(start__gte=edges[0], start__lt=inner_start) | Q(start__gte=inner_stop, start__lt=edges[-1])
    )
    live, _bucket = grouped(chart, edge_rows, edges)
    live_sql, live_params = live.query.sql_with_params()
    summed = (
        "SELECT width_bucket(bucket, %s::timestamptz[]) AS chart_bucket, disposition, "
        f"sum(calls) AS chart_count, sum(billsec) AS chart_total FROM {TABLE} WHERE bucket >= %s AND bucket < %s"
    )
    summed_params: list = [edges, inner_start, inner_stop]
    dispositions = selection.filterset.form.cleaned_data.get("disposition")
    if dispositions:
        summed += " AND disposition = ANY(%s)"
        summed_params.append(list(dispositions))
    sql = (
        "SELECT chart_bucket, disposition, sum(chart_count), sum(chart_total) FROM ("
        f"SELECT live.chart_bucket, live.disposition, live.chart_count, live.chart_total FROM ({live_sql}) live "
        f"UNION ALL {summed} GROUP BY 1, 2) parts GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*live_params, *summed_params])
        return [
            (int(position) - 1, disposition, int(count), int(total or 0))
            for position, disposition, count, total in cursor.fetchall()
        ]
