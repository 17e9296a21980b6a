"""Reads of the registrations app."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.db.models.functions import Now
from django.urls import reverse

from .models import Account, RegistrationBinding

LIVE = Q(removed_at__isnull=True, expires_at__gt=Now())


def live_bindings() -> QuerySet:
    """Bindings live now, by query: an expired one drops off with no task running."""
    return RegistrationBinding.objects.filter(LIVE)


def bindings_at(*, remote_ip: str, remote_port: int, transport: str, moment) -> QuerySet:
    """The bindings that covered an address at a moment (reconciliation's evidence, for people)."""
    return (
        RegistrationBinding.objects.filter(
            remote_ip=remote_ip, remote_port=remote_port, transport=transport, registered_at__lte=moment
        )
        .filter(expires_at__gt=moment)
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gt=moment))
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
        "current_bindings": list(mine.filter(LIVE).order_by("-registered_at", "-id")),
        "past_bindings": list(mine.exclude(LIVE).order_by("-registered_at", "-id")[:limit]),
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
    return reverse("account-detail", args=[account_id]) if account_id is not None else None


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
