"""User Monitoring (seeds 003/004): the page, its 2-second poll and a user's diagnostics."""

from collections import Counter

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from registrations.models import Account
from voipadmin.reports import FilterError, validated_filterset

from .diagnostics import diagnostics_timeline
from .filters import MonitoringFilter, MonitoringQueryFilter
from .poll import changes_since, decode_token, encode_token, poll_token
from .rendering import RowRenderer, rows_html
from .rules import State
from .selectors import filter_states, user_rows

VIEW = "monitoring.view_terminalstate"


@require_GET
@permission_required(VIEW, raise_exception=True)
@gzip_page
def monitoring_page(request: HttpRequest) -> HttpResponse:
    """Every user matching the filters on one page, in department order: an operator's wall, which
    the browser's own find and the filters narrow (5,000 compact rows, no pagination)."""
    context = {"refresh_seconds": settings.MONITORING_REFRESH_SECONDS}
    try:
        filterset = validated_filterset(MonitoringFilter, request.GET, Account.objects.all())
    except FilterError as error:
        context.update(filterset=MonitoringFilter(request.GET), errors=error.errors, rows=[], counts=[])
        return render(request, "monitoring/monitoring.html", context, status=400)
    token = poll_token()
    rows = filter_states(user_rows(filterset.qs), filterset.states)
    rows.sort(key=lambda row: row.sort_key)
    tally = Counter(row.state for row in rows)
    context.update(
        filterset=filterset,
        rows=rows,
        rows_html=rows_html(rows),
        counts=[(state.value, state.label, tally[state]) for state in State],
        token=encode_token(token),
        filtered=bool(request.GET),
    )
    return render(request, "monitoring/monitoring.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
@gzip_page
def monitoring_changes(request: HttpRequest) -> JsonResponse:
    """The poll: `?since=<token>` plus the page's filters gives the rows that may have changed since
    the token (each with its signature, sort key and HTML), the ids that no longer match the
    filters, and the next token. A token is a time, so it outlives a restart of the console."""
    since = decode_token(request.GET.get("since", ""))
    if since is None:
        return _bad({"since": ["give the token the page or the previous poll returned."]})
    try:
        filterset = validated_filterset(
            MonitoringQueryFilter, request.GET, Account.objects.all(), extra_parameters={"since"}
        )
    except FilterError as error:
        return _bad(error.errors)
    changes = changes_since(since=since, filterset=filterset)
    render = RowRenderer()
    rows = [
        {"id": row.account_id, "sig": row.signature, "key": row.sort_key, "state": row.state, "html": render(row)}
        for row in changes.rows
    ]
    return JsonResponse({"token": encode_token(changes.token), "rows": rows, "hide": changes.hidden})


def _bad(errors: dict) -> JsonResponse:
    return JsonResponse(
        {
            "detail": "Invalid query.",
            "errors": [{"field": name, "message": " ".join(msgs)} for name, msgs in errors.items()],
        },
        status=400,
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def diagnostics(request: HttpRequest, account_id: int) -> HttpResponse:
    """`/monitoring/<account_id>/diagnostics/`: the user's last two days in one timeline."""
    account = get_object_or_404(Account, pk=account_id)
    timeline = diagnostics_timeline(account=account, level=settings.MONITORING_DIAGNOSTICS_DETAIL)
    rows = user_rows(Account.objects.filter(pk=account.pk))
    return render(request, "monitoring/diagnostics.html", {"account": account, "timeline": timeline, "row": rows[0]})
