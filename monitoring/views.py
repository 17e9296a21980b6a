"""User Monitoring (seeds 003/004): the page, its 2-second poll and a user's diagnostics."""

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from registrations.models import Account
from voipadmin.console_settings import console_setting
from voipadmin.reports import FilterError, validated_filterset
from voipadmin.reports.paging import page_links, query_without

from .diagnostics import diagnostics_timeline
from .filters import MonitoringFilter, MonitoringQueryFilter
from .paging import decode_key
from .poll import changes_since, decode_token, encode_token
from .rendering import RowRenderer, rows_html
from .rules import State
from .selectors import state_counts, user_rows
from .wall import user_page

VIEW = "monitoring.view_terminalstate"
# The diagnostics show every source of the user's last days: each source's own view right too.
DIAGNOSTICS_VIEW = (
    VIEW,
    "sip_sessions.view_sipevent",
    "cdr.view_cdr",
    "registrations.view_registrationbinding",
)
RANGE = ("lower", "upper")


@require_GET
@permission_required(VIEW, raise_exception=True)
@gzip_page
def monitoring_page(request: HttpRequest) -> HttpResponse:
    """The users matching the filters in department order, MONITORING_PAGE_SIZE a page: an
    operator's wall of stickers. The state counts of the whole selection (one aggregate over every
    selected user) load apart, once the page is shown (`monitoring_counts`)."""
    context = {"refresh_seconds": settings.MONITORING_REFRESH_SECONDS}
    try:
        filterset = validated_filterset(MonitoringFilter, request.GET, Account.objects.all())
        params = request.GET
        view = user_page(
            filterset, after=params.get("after"), before=params.get("before"), last=params.get("page") == "last"
        )
    except FilterError as error:
        context.update(filterset=MonitoringFilter(request.GET), errors=error.errors, rows=[])
        return render(request, "monitoring/monitoring.html", context, status=400)
    context.update(
        filterset=filterset,
        rows=view.rows,
        rows_html=rows_html(view.rows),
        links=page_links(request.GET, view.page),
        lower=view.page.lower or "",
        upper=view.page.upper or "",
        filter_query=query_without(request.GET, "after", "before", "page"),
        token=encode_token(view.token),
        filtered=any(name in request.GET for name in filterset.filters),
        counts_every=settings.MONITORING_COUNTS_SECONDS,
    )
    return render(request, "monitoring/monitoring.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
@gzip_page
def monitoring_changes(request: HttpRequest) -> JsonResponse:
    """The poll: `?since=<token>` plus the page's filters and range (`lower`, `upper`) gives the rows
    of the range that may have changed since the token (each with its signature, sort key and
    HTML), the ids that no longer match the filters or the range, whether the rows are all of the
    range (`full`: an old token) and the next token; with `counts=1` also the state counts of the
    whole selection. A token is a time, so it outlives a restart."""
    since = decode_token(request.GET.get("since", ""))
    if since is None:
        return _bad({"since": ["give the token the page or the previous poll returned."]})
    try:
        filterset = validated_filterset(
            MonitoringQueryFilter, request.GET, Account.objects.all(), extra_parameters={"since", "counts", *RANGE}
        )
        lower, upper = (decode_key(request.GET[name], name) if request.GET.get(name) else None for name in RANGE)
    except FilterError as error:
        return _bad(error.errors)
    changes = changes_since(since=since, filterset=filterset, lower=lower, upper=upper)
    render = RowRenderer()
    rows = [
        {"id": row.account_id, "sig": row.signature, "key": row.sort_key, "state": row.state, "html": render(row)}
        for row in changes.rows
    ]
    answer = {"token": encode_token(changes.token), "rows": rows, "hide": changes.hidden, "full": changes.full}
    if request.GET.get("counts") == "1":
        answer["counts"] = state_counts(filterset.qs)
    return JsonResponse(answer)


@require_GET
@permission_required(VIEW, raise_exception=True)
def monitoring_counts(request: HttpRequest) -> HttpResponse:
    """The users of the page's selection (department, search) in each state: a fragment the page
    loads once shown; the poll brings fresh counts every MONITORING_COUNTS_SECONDS."""
    try:
        filterset = validated_filterset(MonitoringQueryFilter, request.GET, Account.objects.all())
    except FilterError as error:
        return render(request, "reports/_errors.html", {"errors": error.errors}, status=400)
    counts = state_counts(filterset.qs)
    context = {
        "counts": [(state.value, state.label, counts[state]) for state in State],
        "counts_every": settings.MONITORING_COUNTS_SECONDS,
    }
    return render(request, "monitoring/_counts.html", context)


def _bad(errors: dict) -> JsonResponse:
    return JsonResponse(
        {
            "detail": "Invalid query.",
            "errors": [{"field": name, "message": " ".join(msgs)} for name, msgs in errors.items()],
        },
        status=400,
    )


@require_GET
@permission_required(DIAGNOSTICS_VIEW, raise_exception=True)
def diagnostics(request: HttpRequest, account_id: int) -> HttpResponse:
    """`/monitoring/<account_id>/diagnostics/`: the user's last two days in one timeline."""
    account = get_object_or_404(Account, pk=account_id)
    rows = user_rows(Account.objects.filter(pk=account.pk))
    context = {"account": account, "row": rows[0], "enabled": console_setting("MONITORING_DIAGNOSTICS_ENABLED")}
    if context["enabled"]:  # seeds 003/004: the diagnostics, "if activated"
        level = console_setting("MONITORING_DIAGNOSTICS_DETAIL")
        context["timeline"] = diagnostics_timeline(account=account, level=level)
    return render(request, "monitoring/diagnostics.html", context)
