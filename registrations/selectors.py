"""Reads of the registrations app."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from voipadmin.reports.links import page_url

from .models import Account, EndReason, RegistrationBinding


def live_q() -> Q:
    """Live now: not removed, not expired. "Now" is the application's clock, as in User
    Monitoring's states, so the dashboard's figures are taken at one moment."""
    return Q(removed_at__isnull=True, expires_at__gt=timezone.now())


def live_bindings() -> QuerySet:
    """Bindings live now, by query: an expired one drops off with no task running."""
    return RegistrationBinding.objects.filter(live_q())


class _HostText(Func):
    """An IP address as text: `host(inet)` on PostgreSQL (a plain cast would add `/32`)."""

    function = "host"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra):
        return compiler.compile(Cast(self.source_expressions[0], TextField()))


def _per_account(aggregate, output_field):
    """One figure over the account's live bindings, as a scalar subquery (sortable, no GROUP BY)."""
    live = live_bindings().filter(account=OuterRef("pk")).order_by().values("account")
    return Subquery(live.annotate(figure=aggregate).values("figure"), output_field=output_field)


# One line per live contact in the CSV cell: `contact ip:port/TRANSPORT "user agent" until <UTC>`.
CONTACT_LINE = Concat(
    "contact",
    Value(" "),
    _HostText("remote_ip"),
    Value(":"),
    Cast("remote_port", TextField()),
    Value("/"),
    "transport",
    Value(' "'),
    "user_agent",
    Value('" until '),
    Cast("expires_at", TextField()),
    output_field=TextField(),
)


def online_accounts() -> QuerySet:
    """Registered Accounts: one row per account with a live binding (seed 000: "a full list of all
    the Accounts who are on line"), carrying its live contacts (`live_contacts`, one query per page)
    and the figures its columns sort by: how many contacts, since when, until when."""
    ordered = live_bindings().order_by("registered_at", "id")
    # SQLite before 3.44 cannot order inside an aggregate: its CSV cell lists them as stored.
    in_order = {"order_by": ("registered_at", "id")} if connection.features.supports_aggregate_order_by_clause else {}
    return (
        Account.objects.filter(Exists(live_bindings().filter(account=OuterRef("pk"))))
        .annotate(
            contacts=_per_account(Count("pk"), IntegerField()),
            since=_per_account(Min("registered_at"), DateTimeField()),
            until=_per_account(Max("expires_at"), DateTimeField()),
            contact_list=_per_account(StringAgg(CONTACT_LINE, Value("\n"), **in_order), TextField()),
        )
        .prefetch_related(Prefetch("bindings", queryset=ordered, to_attr="live_contacts"))
    )


def bindings_at(*, remote_ip: str, remote_port: int, transport: str, moment) -> QuerySet:
    """The bindings that covered an address at a moment (reconciliation's evidence, for people)."""
    return (
        RegistrationBinding.objects.filter(
            remote_ip=remote_ip, remote_port=remote_port, transport=transport, registered_at__lte=moment
        )
        .filter(expires_at__gt=moment)
        .filter(
            Q(removed_at__isnull=True)
            | Q(removed_at__gt=moment)
            | Q(removed_at=moment, removed_reason=EndReason.CONNECTION_LOST)
        )
        .select_related("account")
        .order_by("account__username", "registered_at")
    )


def account_page(account: Account, *, limit: int = 50) -> dict:
    """What /accounts/<id>/ shows: the account, its bindings, its last SIP events and calls."""
    from cdr.selectors import account_recent_calls
    from sip_sessions.selectors import account_events

    mine = RegistrationBinding.objects.filter(account=account)
    return {
        "account": account,
        "current_bindings": list(mine.filter(live_q()).order_by("-registered_at", "-id")),
        "past_bindings": list(mine.exclude(live_q()).order_by("-registered_at", "-id")[:limit]),
        "last_sip_events": list(account_events(account, limit=limit)),
        "last_calls": list(account_recent_calls(account=account, limit=20)),
    }


def account_ids(usernames: Iterable[str]) -> dict[str, int]:
    """username -> account id for the usernames that are accounts (one query)."""
    names = {name for name in usernames if name}
    if not names:
        return {}
    return dict(Account.objects.filter(username__in=names).values_list("username", "pk"))


def account_people(usernames: Iterable[str]) -> dict[str, tuple[int, str]]:
    """username -> (account id, name) for the usernames that are accounts (one query)."""
    names = {name for name in usernames if name}
    if not names:
        return {}
    rows = Account.objects.filter(username__in=names).annotate(person=account_name_expression())
    return {username: (pk, person) for username, pk, person in rows.values_list("username", "pk", "person")}


def account_page_url(account_id: int | None) -> str | None:
    """The account's page (`/accounts/<id>/`), for every app that links a username to its profile."""
    return page_url("account-detail", account_id) if account_id is not None else None


def account_name_expression():
    """An account's name as people read it: its display name, else name and surname (SQL)."""
    from django.db.models import Case, Value, When
    from django.db.models.functions import Concat, Trim

    return Case(
        When(display_name="", then=Trim(Concat("first_name", Value(" "), "last_name"))),
        default="display_name",
    )


def person_text(username: str | None, name: str | None) -> str:
    """`Oliver Romano (1133)`: the name beside the username, or the username alone without one."""
    if not username:
        return ""
    name = (name or "").strip()
    return f"{name} ({username})" if name and name != username else username
