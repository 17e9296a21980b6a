"""SIP Sessions (seed 000 §4.0.1) as report machine configuration."""

from urllib.parse import urlencode

from django.utils import timezone

from voipadmin.reports import Column, Report
from voipadmin.reports.charts import Chart, Series
from voipadmin.reports.export import choice_words
from voipadmin.reports.links import page_url

from .filters import SipEventFilter
from .models import SipEvent, SipEventType
from .selectors import event_evidence, reconciliation_status


def user_history_url(row: SipEvent) -> str:
    return page_url("sip-sessions:list") + "?" + urlencode({"username": row.username})


def state(row: SipEvent) -> str:
    if row.reconciled:
        return "yes"
    if row.ambiguous:
        return "ambiguous"
    if row.pending:
        return "pending"
    return "—" if row.username else "no"


def state_hint(row: SipEvent) -> str:
    when = timezone.localtime(row.reconciled_at).strftime("%Y-%m-%d %H:%M:%S") if row.reconciled_at else ""
    if row.reconciled:
        return f"bound to {row.username} by reconciliation at {when}"
    if row.ambiguous:
        return f"two or more accounts were registered at {row.remote_address} then; not guessed (marked {when})"
    if row.pending:
        return "waiting for a registration binding at this address and time"
    if row.username:
        return "the server named the user"
    return "no username and no full remote address: nothing to reconcile on"


# Failures are hatched on a strong colour: they stand out among the REGISTER refreshes.
FAILURES = {"REGISTER_FAILED", "AUTH_FAILED", "NETWORK_ERROR", "TIMEOUT", "REJECTED"}

EVENTS_CHART = Chart(
    title="SIP events",
    time="time",
    range_filters=("time",),
    unit="events",
    split="event",
    series=[Series(value, value, alert=value in FAILURES) for value in SipEventType.values],
)


sip_sessions = Report(
    slug="sip-sessions",
    title="SIP Sessions",
    description="What each account did with the SIP server, newest first. CONNECT and DISCONNECT come "
    "bound to a remote address; reconciliation binds them to the account registered there. "
    "Click a username for that user's SIP history.",
    model=SipEvent,
    filterset=SipEventFilter,
    columns=[
        Column("time", "Date"),
        Column("event", text=lambda row: row.event, hint=lambda row: row.get_event_display()),
        Column(
            "event",
            "Event in words",
            sortable=False,
            listed=False,
            export_as=choice_words("event", SipEventType.choices),
        ),
        Column("details"),
        Column("remote_ip", "Remote address", text=lambda row: row.remote_address),
        Column("remote_port", listed=False, sortable=False),
        Column("transport", listed=False, sortable=False),
        Column("username", link=user_history_url),
        Column(
            "reconciled",
            text=state,
            css=lambda row: f"state state-{state(row)}",
            hint=state_hint,
        ),
        Column("ambiguous", listed=False, sortable=False),
        Column("reconciled_at", listed=False, sortable=False),
    ],
    default_order="-time",
    delete_event="delete_sip_sessions",
    menu_group="SIP",
    menu_order=10,
    list_template="sip_sessions/list.html",
    list_context=lambda selection: reconciliation_status(),
    detail_template="sip_sessions/detail.html",
    detail_context=event_evidence,
    empty_help="No SIP event yet: the server pushes them to POST /api/v1/sip-events/.",
    chart=EVENTS_CHART,
)
