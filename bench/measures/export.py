"""1. CSV export over HTTP of filtered CDR selections, against a raw COPY of the same rows and import-export."""

import json
import subprocess
import sys
from dataclasses import dataclass

from django.db import connection
from django.http import QueryDict

from cdr.reports import cdr_report
from voipadmin.reports import select
from voipadmin.reports.keyset import order_queryset
from voipadmin.reports.paging import report_ordering

from ..harness import Row, RssSampler, fmt_int, timed
from ..selections import time_leaving

IMPORT_EXPORT_SAMPLE = 50_000
RSS_LIMIT_MB = 100
TARGET_RATIO = 0.6


@dataclass(frozen=True)
class Selection:
    """A filter of the CDR list, in SQL (to find the time that leaves a row count) and as the filter bar sends it."""

    name: str
    where: str
    query: str


SELECTIONS = [
    Selection("answered calls", "disposition = 'ANSWERED'", "disposition=ANSWERED"),
    Selection("busy or failed calls", "disposition IN ('BUSY', 'FAILED')", "disposition=BUSY&disposition=FAILED"),
]


def selection_query(selection: Selection, rows: int) -> str:
    """The selection from the time that leaves `rows` of its calls to the newest."""
    start = time_leaving("cdr_cdr", "start", selection.where, rows, newest=True)
    return f"{selection.query}&start_after={start}"


def export_queryset(query: str):
    """The queryset the export view makes of the query string (same filter, same order)."""
    params = QueryDict(query)
    return order_queryset(select(cdr_report, params).queryset, report_ordering(cdr_report, params))


def raw_fields(report) -> list[str]:
    """The table columns behind the report's exported ones, as stored: `caller_id` for `caller__username`."""
    fields = []
    for column in report.columns:
        if not column.export:
            continue
        head = column.field.split("__")[0]
        field = report.model._meta.get_field(head)
        fields.append(field.attname if field.is_relation else column.field)
    return list(dict.fromkeys(fields))


def raw_copy_sql(query: str) -> str:
    """`COPY (SELECT <the raw columns> FROM cdr_cdr WHERE <same filter> ORDER BY <same order>) TO STDOUT`:
    no formatting, no neutralisation, no account join; its parameters inlined, for psql."""
    sql, params = export_queryset(query).values_list(*raw_fields(cdr_report)).query.sql_with_params()
    connection.ensure_connection()
    return connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)


def psql_copy(url: str, statement: str) -> tuple[int, int, float]:
    """(bytes, lines, seconds) of the statement run by psql, its output read through a pipe."""
    size = lines = 0
    with timed() as clock:
        with subprocess.Popen(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", statement],
                              stdout=subprocess.PIPE) as process:  # fmt: skip
            while block := process.stdout.read(1 << 18):
                size += len(block)
                lines += block.count(b"\n")
        if process.returncode:
            raise SystemExit("bench: psql COPY failed")
    return size, lines, clock["seconds"]


def import_export(ctx, query: str, rows: int) -> dict:
    """django-import-export's Resource.export() on the first `rows` of the same queryset, in a
    process of its own (its memory is the measurement)."""
    command = [sys.executable, "-m", "bench.import_export_reference", query, str(rows)]
    done = subprocess.run(command, cwd=ctx.root, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"bench: the import-export reference failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class Measured:
    query: str
    rows: int
    size: int
    seconds: float
    copy_rows: int
    copy_size: int
    copy_seconds: float
    peak_mb: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def copy_rate(self) -> float:
        return self.copy_rows / self.copy_seconds


def measure(ctx, query: str) -> Measured:
    """The export downloaded over HTTP between two runs of the raw COPY (the first warms the cache
    for both and is not counted; the second is the reference)."""
    statement = raw_copy_sql(query)
    psql_copy(ctx.database_url, statement)
    with RssSampler(ctx.server.workers()) as memory:
        status, size, lines, seconds = ctx.browser().download(f"/cdr/export.csv?{query}")
    if status != 200:
        raise SystemExit(f"bench: export answered {status}")
    copy_size, copy_lines, copy_seconds = psql_copy(ctx.database_url, statement)
    return Measured(query, lines - 1, size, seconds, copy_lines, copy_size, copy_seconds, memory.peak_mb)


def run(ctx) -> None:
    sizes = [ctx.scale.workload // 10, ctx.scale.workload]
    rows: list[Row] = []
    runs: list[Measured] = []
    for selection in SELECTIONS:
        for wanted in sizes:
            query = selection_query(selection, wanted)
            ctx.log(f"  selection: {query}")
            done = measure(ctx, query)
            runs.append(done)
            rows.append(
                Row(
                    number="1a",
                    what=f"CSV export over HTTP of {selection.name} (`/cdr/export.csv?{query}`), "
                    f"{fmt_int(done.rows)} rows, {done.size / 2**20:,.0f} MiB",
                    result=f"{fmt_int(done.rate)} rows/s ({done.seconds:.1f} s)",
                    reference=f"psql `COPY (SELECT <the raw columns> FROM cdr_cdr WHERE <same filter> ORDER BY "
                    f"<same order>) TO STDOUT WITH (FORMAT csv)`: {fmt_int(done.copy_rate)} rows/s "
                    f"({done.copy_seconds:.1f} s, {done.copy_size / 2**20:,.0f} MiB)",
                    comparison=f"{done.rate / done.copy_rate:.2f}x raw COPY",
                    target=f">= {TARGET_RATIO}x raw COPY",
                    met=done.rate >= TARGET_RATIO * done.copy_rate,
                )
            )
    biggest = runs[len(sizes) - 1]  # the first selection at the full workload
    sample = min(biggest.rows, IMPORT_EXPORT_SAMPLE)
    ctx.log(f"  import-export on {sample:,} rows")
    reference = import_export(ctx, biggest.query, sample)
    ie_rate = reference["rows"] / reference["seconds"]
    ie_growth_mb = reference["peak_mb"] - reference["before_mb"]
    ie_scaled_mb = reference["before_mb"] + ie_growth_mb * biggest.rows / reference["rows"]
    peak = max(runs, key=lambda done: done.peak_mb)
    rows += [
        Row(
            number="1b",
            what=f"the export of {fmt_int(biggest.rows)} answered calls against django-import-export",
            result=f"{fmt_int(biggest.rate)} rows/s",
            reference=f"`Resource.export(queryset).csv`: {fmt_int(ie_rate)} rows/s, measured on the first "
            f"{fmt_int(reference['rows'])} rows of the same queryset ({reference['seconds']:.1f} s); whole "
            f"selection scaled: {biggest.rows / ie_rate:,.0f} s",
            comparison=f"{biggest.rate / ie_rate:,.0f}x import-export",
            target=">= 10x import-export",
            met=biggest.rate >= 10 * ie_rate,
        ),
        Row(
            number="1c",
            what=f"memory of the server during those exports (the highest: {fmt_int(peak.rows)} rows)",
            result=f"gunicorn worker peak RSS {peak.peak_mb:,.0f} MB",
            reference=f"import-export process: peak RSS {reference['peak_mb']:,.0f} MB on "
            f"{fmt_int(reference['rows'])} rows ({reference['before_mb']:,.0f} MB before the export); "
            f"scaled to {fmt_int(biggest.rows)} rows: {ie_scaled_mb:,.0f} MB",
            target=f"RSS < {RSS_LIMIT_MB} MB",
            met=peak.peak_mb < RSS_LIMIT_MB,
        ),
    ]
    ctx.report.add(*rows)
