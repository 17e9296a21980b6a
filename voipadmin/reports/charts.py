"""Charts of a report's selection: the same FilterSet and time range as the list, counted per
interval in the database (one grouped query; only the buckets come back to Python).

A report opts in with `Report(chart=Chart(...))`; the machine then serves `chart/` (an HTML
fragment the list page loads above its table), `chart.svg` and `chart.json` beside the list URL.
"""

import bisect
import contextlib
import datetime
import itertools
import math
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.db import OperationalError, connections, transaction
from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from .filters import Selection

# Interval sizes, seconds: minutes to days (a week past a year and a half). The smallest that
# keeps a range within MAX_BARS is chosen, so a range gets between ~50 and MAX_BARS bars.
STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 2 * 86400, 7 * 86400)
MAX_BARS = 150
OTHER = "_other"


@dataclass(frozen=True)
class Series:
    """One stack of the bars: the rows whose `Chart.split` field equals `key`."""

    key: str
    label: str
    # Drawn with a hatched pattern and a strong colour: errors stand out without colour too.
    alert: bool = False


@dataclass(frozen=True)
class Chart:
    """What a report's chart counts.

    `time` is the model's time field; `range_filters` are FilterSet range filters whose
    `_after` / `_before` bound the chart (the first one given wins; open: the selection's first and
    last time); `split` groups the bars into `series`. `kind="online"`
    counts distinct `distinct` values whose [time, end) interval overlaps each bucket instead.
    """

    title: str
    time: str
    range_filters: Sequence[str]
    unit: str
    split: str | None = None
    series: Sequence[Series] = ()
    only: Q | None = None
    kind: Literal["count", "online"] = "count"
    # Summed per bucket and series beside the count (the CDR's billsec for ACD).
    total_of: str | None = None
    # kind="online": the expression of when a row stops counting, and the field counted once
    end: Callable[[], object] | None = None
    distinct: str = ""
    # From the chart's data: [(label, value in words)] shown above the bars (ASR, ACD).
    figures: Callable[["ChartData"], list[tuple[str, str]]] | None = None
    # kind="online": the range filter over the rows' ends, so a window selects the rows overlapping it.
    overlap_filter: str = ""
    # A summary table that answers some selections without reading their rows (the CDR rollup):
    # (selection, bucket edges, range start, range stop) -> count_rows' rows, or None when it cannot
    # answer this selection exactly (then the rows are counted).
    summary: (
        Callable[[Selection, list[datetime.datetime], datetime.datetime, datetime.datetime], list | None] | None
    ) = None

    def window_query(self, since: datetime.datetime, until: datetime.datetime) -> dict[str, str]:
        """The list filters that select, and bound the chart to, the window since..until."""
        after = self.overlap_filter or self.range_filters[0]
        return {f"{after}_after": since.isoformat(), f"{self.range_filters[0]}_before": until.isoformat()}

    def series_label(self, key: str) -> str:
        return next((series.label for series in self.series if series.key == key), "Other")


@dataclass
class Bucket:
    """[start, stop): a day of 23 or 25 hours where the viewer's clock changes."""

    start: datetime.datetime
    stop: datetime.datetime
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class ChartData:
    chart: Chart
    step: int
    start: datetime.datetime | None
    stop: datetime.datetime | None
    buckets: list[Bucket]
    keys: list[str]

    def count_of(self, key: str) -> int:
        return sum(bucket.counts.get(key, 0) for bucket in self.buckets)

    def total_of(self, key: str) -> int:
        return sum(bucket.totals.get(key, 0) for bucket in self.buckets)

    @property
    def total(self) -> int:
        return sum(bucket.total for bucket in self.buckets)

    @property
    def peak(self) -> int:
        return max((bucket.total for bucket in self.buckets), default=0)

    def step_words(self) -> str:
        return step_words(self.step)


def step_for(span: datetime.timedelta) -> int:
    """The smallest interval that keeps `span` within MAX_BARS bars."""
    seconds = max(span.total_seconds(), 1)
    return next((step for step in STEPS if math.ceil(seconds / step) <= MAX_BARS), STEPS[-1])


def step_words(step: int) -> str:
    for size, word in ((7 * 86400, "week"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if step % size == 0:
            count = step // size
            return f"{count} {word}s" if count > 1 else word
    return f"{step} s"


def bucket_edges(
    start: datetime.datetime, stop: datetime.datetime, step: int, zone: zoneinfo.ZoneInfo
) -> list[datetime.datetime]:
    """The instants where the buckets from the one holding `start` to the one holding `stop` begin,
    then where the last one ends: bucket i is [edges[i], edges[i + 1]).

    Cut on the viewer's wall clock, so a DST change moves no later bucket: a day step cuts at each
    local midnight (a 23- or 25-hour day is one bucket), a step of 2 days or a week at every other
    day or each Monday; a shorter step at each wall time that is a multiple of it, where that wall
    time exists (the hour a clock skips has no bucket, the hour it repeats has two: none doubled,
    none lost).
    """
    if step >= 86400:
        days = step // 86400
        first = start.astimezone(zone).date()
        first -= datetime.timedelta(days=(first.toordinal() - 1) % days)  # ordinal 1 was a Monday
        edges = []
        day = first
        while not edges or edges[-1] <= stop:
            # fold 0: a midnight the clock skips is the day's first instant, one it repeats the first
            midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
            edges.append(midnight.astimezone(datetime.UTC))
            day += datetime.timedelta(days=days)
        return edges
    span = datetime.timedelta(seconds=step)
    # A fall-back moves the wall clock back (by 3 hours at most, anywhere): walls this far beyond
    # both ends hold every instant of the range and the edges just outside it.
    margin = span * (3 * 3600 // step + 1)  # whole steps: the walls stay on the grid
    local = start.astimezone(zone).replace(tzinfo=None)
    as_utc = local.replace(tzinfo=datetime.UTC).timestamp()
    wall = datetime.datetime.fromtimestamp(as_utc // step * step, datetime.UTC).replace(tzinfo=None) - margin
    last_wall = stop.astimezone(zone).replace(tzinfo=None) + margin
    instants: set[datetime.datetime] = set()
    while wall <= last_wall:
        for fold in (0, 1):
            moment = wall.replace(tzinfo=zone, fold=fold).astimezone(datetime.UTC)
            if moment.astimezone(zone).replace(tzinfo=None) == wall:  # the wall time exists
                instants.add(moment)
        wall += span
    ordered = sorted(instants)
    low = max(index for index, moment in enumerate(ordered) if moment <= start)
    high = min(index for index, moment in enumerate(ordered) if moment > stop)
    return ordered[low : high + 1]


class BucketOf(Func):
    """The bucket a time falls in, grouped in SQL. PostgreSQL: width_bucket(col, edges), a binary
    search of the edges (any lengths: a 25-hour day); its 1 is the first bucket. SQLite: the
    whole `unit`s since the first edge (`unit` divides every bucket's length), placed in Python."""

    def __init__(self, expression, *, edges: list[datetime.datetime]):
        self.edges = edges
        starts = [int(edge.timestamp()) for edge in edges]
        self.origin = starts[0]
        self.unit = math.gcd(*(moment - self.origin for moment in starts[1:]))
        super().__init__(expression, output_field=IntegerField())

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"width_bucket({column}, %s::timestamptz[])", [*params, self.edges]

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        # whole seconds; the rows are at or after the first edge, so the division truncates down
        return f"((CAST(strftime('%%s', {column}) AS INTEGER) - {self.origin}) / {self.unit})", params

    def get_db_converters(self, connection):
        return []

    def index_of(self, value: int, vendor: str) -> int:
        """The bucket's position (0 the first) from what the database grouped by."""
        if vendor == "postgresql":
            return int(value) - 1
        moment = self.origin + int(value) * self.unit
        return bisect.bisect_right(self.edges, datetime.datetime.fromtimestamp(moment, datetime.UTC)) - 1


def _bounds(selection: Selection, chart: Chart) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The filter's range; an open end is the selection's first / last time (one index probe each)."""
    cleaned = selection.filterset.form.cleaned_data
    values = [cleaned.get(name) for name in chart.range_filters]
    start = next((value.start for value in values if value is not None and value.start is not None), None)
    stop = next((value.stop for value in values if value is not None and value.stop is not None), None)
    queryset = narrowed(selection.queryset, chart).order_by()
    if start is None:
        start = queryset.order_by(chart.time).values_list(chart.time, flat=True).first()
    if stop is None and chart.kind == "online":
        stop = timezone.now()  # who is online up to now, not up to the last registration
    if stop is None:
        stop = queryset.order_by(f"-{chart.time}").values_list(chart.time, flat=True).first()
    if start is not None and stop is not None and stop < start:
        stop = start
    return start, stop


def narrowed(queryset: QuerySet, chart: Chart) -> QuerySet:
    return queryset.filter(chart.only) if chart.only is not None else queryset


class ChartTimeout(Exception):
    """The selection took longer than the chart may (a wide range of a big table, unfiltered)."""


@contextlib.contextmanager
def _time_limited(database: str, timeout_ms: int | None) -> Iterator[None]:
    """On PostgreSQL the chart's reads get `timeout_ms` (where they go: the replica when there is one)."""
    try:
        with transaction.atomic(using=database):
            if timeout_ms and connections[database].vendor == "postgresql":
                with connections[database].cursor() as cursor:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(timeout_ms)}ms"])
            yield
    except OperationalError as error:
        raise ChartTimeout(str(error)) from error


def chart_data(
    *, chart: Chart, selection: Selection, zone: zoneinfo.ZoneInfo, timeout_ms: int | None = None
) -> ChartData:
    """The chart of `selection` in intervals fitted to its time range, in `zone`'s days; ChartTimeout
    when its reads take longer than `timeout_ms` (the page says so rather than wait)."""
    with _time_limited(selection.queryset.db, timeout_ms):
        return _chart_data(chart=chart, selection=selection, zone=zone)


def _chart_data(*, chart: Chart, selection: Selection, zone: zoneinfo.ZoneInfo) -> ChartData:
    start, stop = _bounds(selection, chart)
    keys = [series.key for series in chart.series] or ["rows"]
    if start is None or stop is None:
        return ChartData(chart=chart, step=STEPS[0], start=start, stop=stop, buckets=[], keys=keys)
    step = step_for(stop - start)
    edges = bucket_edges(start, stop, step, zone)
    buckets = [Bucket(start=begin, stop=end) for begin, end in itertools.pairwise(edges)]
    if chart.kind == "online":
        rows = _online_rows(chart, selection.queryset, buckets)
    else:
        rows = chart.summary(selection, edges, start, stop) if chart.summary is not None else None
        if rows is None:
            rows = count_rows(chart, narrowed(selection.queryset, chart), edges)
    known = set(keys)
    for position, key, count, total in rows:
        if not 0 <= position < len(buckets):
            continue
        key = key if key in known or not chart.series else OTHER
        if key == OTHER and OTHER not in known:
            keys.append(OTHER)
            known.add(OTHER)
        bucket = buckets[position]
        bucket.counts[key] = bucket.counts.get(key, 0) + count
        bucket.totals[key] = bucket.totals.get(key, 0) + (total or 0)
    return ChartData(chart=chart, step=step, start=start, stop=stop, buckets=buckets, keys=keys)


def grouped(chart: Chart, queryset: QuerySet, edges: list[datetime.datetime]) -> tuple[QuerySet, BucketOf]:
    """The GROUP BY (bucket, split) of `queryset`'s rows within the edges: `chart_bucket`, the split
    field, `chart_count` and (with `total_of`) `chart_total`. The edges bound it too, which opens only
    their months' partitions when the selection's range is open."""
    bucket = BucketOf(F(chart.time), edges=edges)
    within = queryset.order_by().filter(**{f"{chart.time}__gte": edges[0], f"{chart.time}__lt": edges[-1]})
    query = within.annotate(chart_bucket=bucket).values("chart_bucket", *([chart.split] if chart.split else []))
    aggregates = {"chart_count": Count("pk")}
    if chart.total_of:
        aggregates["chart_total"] = Sum(chart.total_of)
    return query.annotate(**aggregates), bucket


def count_rows(chart: Chart, queryset: QuerySet, edges: list[datetime.datetime]) -> list[tuple]:
    """(position, key, count, total) per bucket and split of the rows: one grouped query that reads
    the time index's range (on PostgreSQL, only the range's partitions)."""
    query, bucket = grouped(chart, queryset, edges)
    vendor = connections[queryset.db].vendor
    rows = []
    for row in query:
        key = row[chart.split] if chart.split else "rows"
        rows.append((bucket.index_of(row["chart_bucket"], vendor), key, row["chart_count"], row.get("chart_total")))
    return rows


def _online_rows(chart: Chart, queryset: QuerySet, buckets: list[Bucket]) -> list[tuple]:
    """Distinct `chart.distinct` per bucket among the rows whose [time, end) overlaps it.

    The buckets are a VALUES list joined to the selection (restricted to rows overlapping the
    whole range), so the database counts and only one row per bucket comes back.
    """
    if not buckets:
        return []
    database = queryset.db
    connection = connections[database]
    adapt = connection.ops.adapt_datetimefield_value
    range_start = buckets[0].start
    range_stop = buckets[-1].stop
    inner = (
        queryset.order_by()
        .annotate(chart_key=F(chart.distinct), chart_time=F(chart.time), chart_end=chart.end())
        .filter(**{f"{chart.time}__lt": range_stop, "chart_end__gt": range_start})
        .values("chart_key", "chart_time", "chart_end")
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    values = ", ".join(["(%s, %s, %s)"] * len(buckets))
    value_params: list = []
    for index, bucket in enumerate(buckets):
        value_params += [index, adapt(bucket.start), adapt(bucket.stop)]
    sql = (
        f"WITH chart_buckets (chart_position, bucket_start, bucket_stop) AS (VALUES {values}) "
        f"SELECT chart_position, COUNT(DISTINCT chart_rows.chart_key) "
        f"FROM chart_buckets JOIN ({inner_sql}) chart_rows "
        f"ON chart_rows.chart_time < chart_buckets.bucket_stop "
        f"AND chart_rows.chart_end > chart_buckets.bucket_start GROUP BY chart_position"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*value_params, *inner_params])
        found = dict(cursor.fetchall())
    return [(position, "rows", count, None) for position, count in found.items()]


def binding_end() -> object:
    """When a registration binding stopped counting as online: removed, or expired, whichever first."""
    return Least(Coalesce("removed_at", "expires_at"), "expires_at")
