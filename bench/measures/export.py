"""1. CSV export over HTTP of a filtered CDR selection, against psql's COPY and import-export."""

import json
import subprocess
import sys

from django.db import connection
from django.http import QueryDict

from cdr.reports import cdr_report
from voipadmin.reports import select
from voipadmin.reports.export import copy_statement, export_columns
from voipadmin.reports.keyset import order_queryset
from voipadmin.reports.paging import report_ordering

from ..context import VIEWER_ZONE
from ..harness import Row, RssSampler, fmt_int, timed
from ..selections import time_leaving

IMPORT_EXPORT_SAMPLE = 50_000
RSS_LIMIT_MB = 200


def selection_query(rows: int) -> str:
    """Answered calls from the time that leaves `rows` of them to the newest."""
    start = time_leaving("cdr_cdr", "start", "disposition = 'ANSWERED'", rows, newest=True)
    return f"disposition=ANSWERED&start_after={start}"


def export_queryset(query: str):
    """The queryset the export view makes of the query string (same filter, same order)."""
    params = QueryDict(query)
    return order_queryset(select(cdr_report, params).queryset, report_ordering(cdr_report, params))


def copy_sql(query: str) -> str:
    """The export's COPY statement with its parameters inlined, for psql."""
    statement, params = copy_statement(
        export_queryset(query), export_columns(cdr_report, VIEWER_ZONE), VIEWER_ZONE, ","
    )
    connection.ensure_connection()
    return connection.ops.compose_sql(statement, params)


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


def run(ctx) -> None:
    wanted = ctx.scale.workload
    query = selection_query(wanted)
    ctx.log(f"  selection: {query}")
    statement = copy_sql(query)
    # The same SELECT through psql first: it also warms the cache for both.
    psql_copy(ctx.database_url, statement)
    client = ctx.browser()
    with RssSampler(ctx.server.workers()) as memory:
        status, size, lines, seconds = client.download(f"/cdr/export.csv?{query}")
    if status != 200:
        raise SystemExit(f"bench: export answered {status}")
    rows = lines - 1  # the header
    rate = rows / seconds
    copy_size, copy_lines, copy_seconds = psql_copy(ctx.database_url, statement)
    copy_rate = copy_lines / copy_seconds
    sample = min(rows, IMPORT_EXPORT_SAMPLE)
    ctx.log(f"  import-export on {sample:,} rows")
    reference = import_export(ctx, query, sample)
    ie_rate = reference["rows"] / reference["seconds"]
    ie_growth_mb = reference["peak_mb"] - reference["before_mb"]
    ie_scaled_mb = reference["before_mb"] + ie_growth_mb * rows / reference["rows"]
    what = f"CSV export over HTTP (`/cdr/export.csv?{query}`), {fmt_int(rows)} rows, {size / 2**20:,.0f} MiB"
    ctx.report.add(
        Row(
            number="1a",
            what=what,
            result=f"{fmt_int(rate)} rows/s ({seconds:.1f} s)",
            reference=f"psql `COPY (same SELECT) TO STDOUT WITH (FORMAT csv)`: {fmt_int(copy_rate)} rows/s "
            f"({copy_seconds:.1f} s, {copy_size / 2**20:,.0f} MiB)",
            comparison=f"{rate / copy_rate:.2f}x COPY",
            target=">= 0.5x COPY",
            met=rate >= 0.5 * copy_rate,
        ),
        Row(
            number="1b",
            what="the same export against django-import-export",
            result=f"{fmt_int(rate)} rows/s",
            reference=f"`Resource.export(queryset).csv`: {fmt_int(ie_rate)} rows/s, measured on the first "
            f"{fmt_int(reference['rows'])} rows of the same queryset ({reference['seconds']:.1f} s); whole "
            f"selection scaled: {rows / ie_rate:,.0f} s",
            comparison=f"{rate / ie_rate:,.0f}x import-export",
            target=">= 10x import-export",
            met=rate >= 10 * ie_rate,
        ),
        Row(
            number="1c",
            what="memory of the server during that export",
            result=f"gunicorn worker peak RSS {memory.peak_mb:,.0f} MB",
            reference=f"import-export process: peak RSS {reference['peak_mb']:,.0f} MB on "
            f"{fmt_int(reference['rows'])} rows ({reference['before_mb']:,.0f} MB before the export); "
            f"scaled to {fmt_int(rows)} rows: {ie_scaled_mb:,.0f} MB",
            target=f"RSS < {RSS_LIMIT_MB} MB",
            met=memory.peak_mb < RSS_LIMIT_MB,
        ),
    )
