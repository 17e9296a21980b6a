"""The audit app's reports, as configuration of the report machine."""

from urllib.parse import urlencode

from django.urls import reverse

from registrations.selectors import account_ids, account_page_url
from voipadmin.reports import Column, Report

from .filters import AuditRecordFilter, ConfigChangeFilter, ServerEventFilter, WebAccessFilter
from .models import AuditAction, AuditRecord, ConfigChange, ServerEvent, WebAccess
from .registry import config_tables
from .services.chain import deletion_anchor, gaps_for_batch


def _principal_history(row: WebAccess) -> str:
    return reverse("web-sessions:list") + "?" + urlencode({"principal": row.principal})


web_sessions = Report(
    slug="web-sessions",
    title="Web Sessions",
    description="Every access to this console: logins, failed logins (the login typed is kept, "
    "the password never), logouts.",
    model=WebAccess,
    filterset=WebAccessFilter,
    columns=[
        Column("time", "Date"),
        Column("principal", link=_principal_history),
        Column("ip"),
        Column("outcome", "Event type", hint=lambda row: row.reason),
        Column("user_agent"),
    ],
    default_order="-time",
    delete_event="delete_web_sessions",
    menu_group="Console",
    menu_order=80,
)


# -- audit log (seed 002)


def _resource(row: AuditRecord) -> str:
    return f"{row.resource_table} {row.resource_id}".strip()


def _actor_history(row: AuditRecord) -> str:
    return reverse("audit:list") + "?" + urlencode({"actor_name": row.actor_name})


def audit_detail_context(row: AuditRecord) -> dict:
    return {"changes": row.changes, "actor": row.actor, "api_client": (row.details or {}).get("api_client")}


audit_log = Report(
    slug="audit",
    title="Audit Log",
    description="Every change made through the console, the admin or the API, every login and every "
    "filtered deletion: who, what, where, when and from which address. Rows are hash-chained "
    "(manage.py verify_audit_log).",
    model=AuditRecord,
    filterset=AuditRecordFilter,
    columns=[
        Column("time", "Date"),
        Column("resource_table", "Resource", text=_resource),
        Column("action", hint=lambda row: row.action_hint, text=lambda row: row.action),
        Column("actor_name", "Action by", text=lambda row: row.actor, link=_actor_history),
        Column("statement", sortable=False),
        Column("ip"),
    ],
    default_order="-time",
    delete_event="delete_audit_logs",
    before_delete_batch=gaps_for_batch,
    delete_details=deletion_anchor,
    detail_template="audit/audit_detail.html",
    detail_context=audit_detail_context,
    empty_help="Changes, logins and deletions appear here as they happen.",
    menu_group="Logs",
    menu_order=10,
)


# -- server event log (seed 001 "Events")


def _user_history(row: ServerEvent) -> str:
    return reverse("events:list") + "?" + urlencode({"username": row.username})


def event_detail_context(row: ServerEvent) -> dict:
    return {
        "profile_url": account_page_url(account_ids([row.username]).get(row.username)),
        "history_url": _user_history(row) if row.username else None,
    }


def _status_move(row: ServerEvent) -> str:
    """`1 → 2` for a status change (the codes of seed 001), blank otherwise."""
    if row.previous_status is None and row.new_status is None:
        return ""
    shown = ["?" if code is None else str(code) for code in (row.previous_status, row.new_status)]
    return " → ".join(shown)


def _status_meaning(row: ServerEvent) -> str:
    labels = dict(ServerEvent.Status.choices)
    if row.new_status is None:
        return ""
    before = labels.get(row.previous_status, "unknown") if row.previous_status is not None else "unknown"
    return f"{before} → {labels.get(row.new_status, row.new_status)}"


server_events = Report(
    slug="events",
    title="Server Events",
    description="Logins and logouts, locks and unlocks, account activation, status changes, deletions "
    "from the reports, server starts and stops.",
    model=ServerEvent,
    filterset=ServerEventFilter,
    columns=[
        Column("time", "Date"),
        Column("event_type", "Event", text=lambda row: row.event_type, hint=lambda row: row.get_event_type_display()),
        Column("success", "OK", sortable=False),
        Column("username", link=_user_history),
        Column("ip"),
        Column("new_status", "Status", sortable=False, text=_status_move, hint=_status_meaning),
        Column("description", sortable=False),
    ],
    default_order="-time",
    delete_event="delete_events",
    detail_template="audit/event_detail.html",
    detail_context=event_detail_context,
    menu_group="Logs",
    menu_order=20,
)


# -- configuration changes (seed 001): the audit log's captured changes, seen per parameter

CONFIG_ACTIONS = (AuditAction.ADD, AuditAction.UPDATE, AuditAction.DELETE, AuditAction.RESTORE, AuditAction.PSWD_CHNG)


def _config_queryset():
    return ConfigChange.objects.filter(resource_table__in=config_tables(), action__in=CONFIG_ACTIONS)


def _changes_text(row: AuditRecord) -> str:
    def shown(value) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, list):
            return ", ".join(str(item) for item in value) or "(none)"
        return str(value)

    def change(name, before, after) -> str:
        if isinstance(before, list) and isinstance(after, list):  # many-to-many: what was added, removed
            added = [f"+{item}" for item in after if item not in before]
            removed = [f"-{item}" for item in before if item not in after]
            return f"{name}: {', '.join(added + removed) or 'unchanged'}"
        return f"{name}: {shown(before)} → {shown(after)}"

    return "; ".join(change(name, before, after) for name, before, after in row.changes)


config_changes = Report(
    slug="config-changes",
    title="Configuration Changes",
    description="Every change of settings and accounts (VoIP accounts, console users and roles, "
    "preferences, API tokens) with each parameter's value before and after.",
    model=ConfigChange,
    filterset=ConfigChangeFilter,
    columns=[
        Column("time", "Date"),
        Column("resource_table", "Object", text=lambda row: row.details.get("object") or _resource(row)),
        Column("action", "Change", hint=lambda row: row.action_hint, text=lambda row: row.action),
        Column("details", "Parameter: before → after", sortable=False, text=_changes_text),
        Column("actor_name", "Changed by", text=lambda row: row.actor),
    ],
    queryset=_config_queryset,
    default_order="-time",
    delete_event="delete_logs",
    before_delete_batch=gaps_for_batch,
    delete_details=deletion_anchor,
    detail_template="audit/config_change_detail.html",
    detail_context=audit_detail_context,
    menu_group="Logs",
    menu_order=30,
)
