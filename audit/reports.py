"""The audit app's reports, as configuration of the report machine."""

from urllib.parse import urlencode

from django.db.models import Case, Q, TextField, Value, When
from django.db.models.functions import Cast, Concat
from django.utils.html import format_html, format_html_join

from conferences.models import Endpoint
from conferences.selectors import user_link, with_account
from registrations.selectors import account_name_expression, account_page_url, person_text
from voipadmin.reports import Column, Report
from voipadmin.reports.cells import detail_fields
from voipadmin.reports.charts import Chart, Series
from voipadmin.reports.export import choice_words
from voipadmin.reports.links import page_url

from .filters import AuditRecordFilter, ConfigChangeFilter, ServerEventFilter, WebAccessFilter
from .models import AuditAction, AuditRecord, ConfigChange, ServerEvent, WebAccess
from .registry import config_tables
from .services.chain import deletion_anchor, gaps_for_batch


def _principal_history(row: WebAccess) -> str:
    return page_url("web-sessions:list") + "?" + urlencode({"principal": row.principal})


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
    chart=Chart(
        title="Failed logins",
        time="time",
        range_filters=("time",),
        unit="failed logins",
        split="outcome",
        series=[Series(WebAccess.Outcome.LOGIN_FAILED, "Failed login", alert=True)],
        only=Q(outcome=WebAccess.Outcome.LOGIN_FAILED),
    ),
)


# -- audit log (seed 002)


# The list's words of a row, computed in the export's SELECT: the CSV keeps what the list shows.
ACTOR_TEXT = Concat(
    "actor_kind",
    Value(":"),
    Cast("actor_id", TextField()),
    Value(":"),
    Cast("actor_sub_id", TextField()),
    Value(":"),
    "actor_name",
    output_field=TextField(),
)
RESOURCE_TEXT = Case(
    When(resource_id="", then="resource_table"),
    When(resource_table="", then="resource_id"),
    default=Concat("resource_table", Value(" "), "resource_id", output_field=TextField()),
    output_field=TextField(),
)


def _resource(row: AuditRecord) -> str:
    return f"{row.resource_table} {row.resource_id}".strip()


def _audit_queryset(model=AuditRecord):
    """Each row with its actor's name, in the page's one query: a console user's full name (kind
    u, by user id) or an account's name (kind a, by username)."""
    from django.contrib.auth import get_user_model
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Trim

    from registrations.models import Account

    user = get_user_model().objects.filter(pk=OuterRef("actor_sub_id"))
    user_name = user.annotate(person=Trim(Concat("first_name", Value(" "), "last_name"))).values("person")[:1]
    account = Account.objects.filter(username=OuterRef("actor_name"))
    account_name = account.annotate(person=account_name_expression()).values("person")[:1]
    return model.objects.annotate(
        actor_person=Case(
            When(actor_kind="u", then=Subquery(user_name)),
            When(actor_kind="a", then=Subquery(account_name)),
            default=Value(""),
            output_field=TextField(),
        )
    )


def _actor_text(row: AuditRecord) -> str:
    """`Oliver Romano (u:0:7:oliver)`: the seed's actor with the person's name before it."""
    name = (getattr(row, "actor_person", "") or "").strip()
    return f"{name} ({row.actor})" if name else row.actor


def _actor_history(row: AuditRecord) -> str:
    return page_url("audit:list") + "?" + urlencode({"actor_name": row.actor_name})


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
    queryset=_audit_queryset,
    columns=[
        Column("time", "Date"),
        Column("resource_table", "Resource", text=_resource, export_as=RESOURCE_TEXT),
        Column("action", hint=lambda row: row.action_hint, text=lambda row: row.action),
        Column("actor_name", "Action by", text=_actor_text, link=_actor_history, export_as=ACTOR_TEXT),
        Column("statement"),
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

# Seed 001's status values in a word each; the model's labels (the hover) say more.
STATUS_WORDS = {-2: "inactive", 0: "offline", 1: "online", 2: "busy", 5: "owner"}


def _user_history(row: ServerEvent) -> str:
    return page_url("events:list") + "?" + urlencode({"username": row.username})


def _user_page(row: ServerEvent) -> str | None:
    """The account page of the event's user when there is one, else their event history."""
    return user_link(row.username, row.username_account, _user_history(row))


def endpoint_url(endpoint_id: str) -> str:
    """Seed 001: an event's Endpoint ID leads to the Endpoints section (one probe of the unique id)."""
    pk = Endpoint.objects.filter(endpoint_id=endpoint_id).values_list("pk", flat=True).first()
    if pk is not None:
        return page_url("endpoints:detail", pk)
    return page_url("endpoints:list") + "?" + urlencode({"endpoint_id": endpoint_id})


def _shown(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    return "—" if value is None or value == "" else str(value)


def _event_fields(row: ServerEvent) -> list[tuple[str, str, str]]:
    """The machine's detail fields, with the Endpoint ID a link and users and details readable."""
    fields = []
    for field, (label, text, css) in zip(row._meta.concrete_fields, detail_fields(row), strict=True):
        if field.name == "endpoint_id" and row.endpoint_id:
            text, css = format_html('<a href="{}" data-endpoint>{}</a>', endpoint_url(row.endpoint_id), text), ""
        elif field.name == "users" and row.users:
            text, css = _shown(row.users), ""
        elif field.name == "details" and isinstance(row.details, dict) and row.details:
            pairs = format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((k, _shown(v)) for k, v in row.details.items()))
            text, css = format_html('<dl class="fields" data-details>{}</dl>', pairs), ""
        fields.append((label, text, css))
    return fields


def event_detail_context(row: ServerEvent) -> dict:
    """`row` comes from the report's queryset, so it carries its user's account id."""
    return {
        "fields": _event_fields(row),
        "profile_url": account_page_url(row.username_account),
        "history_url": _user_history(row) if row.username else None,
    }


def _status_word(code: int | None) -> str:
    if code is None:
        return "?"
    return f"{code} {STATUS_WORDS[code]}" if code in STATUS_WORDS else str(code)


def _status_move(row: ServerEvent) -> str:
    """`1 online → 2 busy` for a status change (seed 001's codes with their meaning), blank otherwise."""
    if row.previous_status is None and row.new_status is None:
        return ""
    return f"{_status_word(row.previous_status)} → {_status_word(row.new_status)}"


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
    # the account of each row's user, for its profile link: one index probe per shown row
    queryset=lambda: with_account(ServerEvent.objects.all(), username_account="username"),
    columns=[
        Column("time", "Date"),
        Column("event_type", "Event", text=lambda row: row.event_type, hint=lambda row: row.get_event_type_display()),
        Column(
            "event_type",
            "Event in words",
            sortable=False,
            listed=False,
            export_as=choice_words("event_type", ServerEvent.EventType.choices),
        ),
        Column("success", "OK"),
        Column("username", link=_user_page, text=lambda row: person_text(row.username, row.username_account_name)),
        Column("ip"),
        Column("new_status", "Status", text=_status_move, hint=_status_meaning),
        Column("description"),
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


# The Change column's codes in a word (seed 002's A, U, D, R and the password change).
CHANGE_WORDS = {
    AuditAction.ADD: "add",
    AuditAction.UPDATE: "update",
    AuditAction.DELETE: "delete",
    AuditAction.RESTORE: "restore",
    AuditAction.PSWD_CHNG: "password change",
}


def change_text(row: AuditRecord) -> str:
    """`U (update)`: the code as stored, with its meaning."""
    word = CHANGE_WORDS.get(row.action)
    return f"{row.action} ({word})" if word else row.action


def config_change_detail_context(row: AuditRecord) -> dict:
    return {**audit_detail_context(row), "change": change_text(row)}


def _config_queryset():
    return _audit_queryset(ConfigChange).filter(resource_table__in=config_tables(), action__in=CONFIG_ACTIONS)


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
        Column("action", "Change", hint=lambda row: row.action_hint, text=change_text),
        Column("details", "Parameter: before → after", text=_changes_text),
        Column("actor_name", "Changed by", text=_actor_text, export_as=ACTOR_TEXT),
    ],
    queryset=_config_queryset,
    default_order="-time",
    delete_event="delete_logs",
    before_delete_batch=gaps_for_batch,
    delete_details=deletion_anchor,
    detail_template="audit/config_change_detail.html",
    detail_context=config_change_detail_context,
    menu_group="Logs",
    menu_order=30,
)
