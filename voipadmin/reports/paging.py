"""A report's page for a query string: the one reading of `o`, `after`, `before`, `page=last`."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils.http import urlencode

from .definition import Report
from .filters import FilterError
from .keyset import Ordering, Page, fetch_page, parse_ordering

# The page sizes a viewer may pick (`?size=`); a larger number is read as the largest.
PAGE_SIZES = (50, 100, 250)


def report_ordering(report: Report, params) -> Ordering:
    return parse_ordering(params.get("o"), report.sortable_fields(), report.default_order)


def page_size(params) -> int:
    """Rows per page: `?size=` capped at the largest choice, else the site's REPORT_PAGE_SIZE."""
    raw = params.get("size")
    if not raw:
        return settings.REPORT_PAGE_SIZE
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        sizes = ", ".join(map(str, PAGE_SIZES))
        raise FilterError({"size": [f"give the rows per page as a whole number ({sizes})."]})
    return min(int(raw[:6]), PAGE_SIZES[-1])


def page_size_links(params) -> list[tuple[int, str, bool]]:
    """(size, link, is current) per choice, keeping the filters and order, from the first page."""
    current = page_size(params)
    base = query_without(params, "after", "before", "page", "size")
    join = "&" if base else ""
    return [(size, f"?{base}{join}size={size}", size == current) for size in PAGE_SIZES]


def report_page(report: Report, queryset: QuerySet, params) -> Page:
    return fetch_page(
        queryset,
        report_ordering(report, params),
        page_size(params),
        after=params.get("after"),
        before=params.get("before"),
        last=params.get("page") == "last",
    )


def query_without(params, *names: str) -> str:
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


def page_links(params, page) -> dict:
    """First / previous / next / last links of a keyset page (anything with `is_first`,
    `is_last_requested`, `previous_cursor`, `next_cursor`), keeping the filters of the query."""
    base = query_without(params, "after", "before", "page")
    join = "&" if base else ""
    return {
        "first": f"?{base}" if not page.is_first or page.is_last_requested else None,
        "previous": f"?{base}{join}{urlencode({'before': page.previous_cursor})}" if page.previous_cursor else None,
        "next": f"?{base}{join}{urlencode({'after': page.next_cursor})}" if page.next_cursor else None,
        "last": f"?{base}{join}page=last" if page.next_cursor else None,
    }
