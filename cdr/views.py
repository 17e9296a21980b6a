"""The CDR summary strip, served on its own so the list page never waits for it."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from voipadmin.reports import FilterError, select
from voipadmin.reports.reads import reads_from_replica

from .reports import cdr_report
from .selectors import cdr_summary


@reads_from_replica
def summary(request: HttpRequest) -> HttpResponse:
    """The strip for the list's query string (`/cdr/summary/?<the list's filters>`), a fragment the
    list page fetches after it has shown its rows."""
    if not request.user.has_perm(cdr_report.view_permission):
        raise PermissionDenied
    try:
        selection = select(cdr_report, request.GET)
    except FilterError as error:
        return HttpResponse(f"Cannot summarise: {error.summary()}", status=400, content_type="text/plain")
    context = {
        "summary": cdr_summary(
            queryset=selection.queryset, rows=settings.CDR_SUMMARY_ROWS, timeout_ms=settings.CDR_SUMMARY_TIMEOUT_MS
        ),
        "summary_rows": settings.CDR_SUMMARY_ROWS,
    }
    return render(request, "cdr/summary.html", context)
