"""The EXPLAIN ANALYZE of every registered report's default query (its first page)."""

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from voipadmin.reports import all_reports, select
from voipadmin.reports.paging import report_page


def first_page_sql(report) -> list[str]:
    """The statements the report's first page runs for its rows (its SQL as sent, values inlined)."""
    selection = select(report, QueryDict())
    with CaptureQueriesContext(connection) as captured:
        report_page(report, report.with_related(selection.queryset), QueryDict())
    return [query["sql"] for query in captured.captured_queries if query["sql"].lstrip().upper().startswith("SELECT")]


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def run(ctx) -> None:
    blocks = []
    for report in all_reports():
        for sql in first_page_sql(report):
            plan = explain(sql)
            ctx.log(f"\n== {report.title} ({report.slug}, default order {report.default_order})\n{sql}\n{plan}")
            blocks.append(
                f"### {report.title} (`{report.slug}`, order `{report.default_order}`)\n\n"
                f"```sql\n{sql}\n```\n\n```text\n{plan}\n```\n"
            )
    ctx.report.section("Plans of each report's default query (first page)", "\n".join(blocks))
