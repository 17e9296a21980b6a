"""A report's page for a query string: the one reading of `o`, `after`, `before`, `page=last`."""

from django.conf import settings
from django.db.models import QuerySet

from .definition import Report
from .keyset import Ordering, Page, fetch_page, parse_ordering


def report_ordering(report: Report, params) -> Ordering:
    return parse_ordering(params.get("o"), report.sortable_fields(), report.default_order)


def report_page(report: Report, queryset: QuerySet, params) -> Page:
    return fetch_page(
        queryset,
        report_ordering(report, params),
        settings.REPORT_PAGE_SIZE,
        after=params.get("after"),
        before=params.get("before"),
        last=params.get("page") == "last",
    )
