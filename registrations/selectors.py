"""Reads of the registrations app."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from .models import Account, RegistrationBinding


def live_q() -> Q:
    """Live now: not removed, not expired. "Now" is the application's clock, as in User
    Monitoring's states, so the dashboard's figures are taken at one moment."""
    return Q(removed_at__isnull=True, expires_at__gt=timezone.now())


def live_bindings() -> QuerySet:
    """Bindings live now, by query: an expired one drops off with no task running."""
    return RegistrationBinding.objects.filter(live_q())


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


def account_page_url(account_id: int | None) -> str | None:
    """The account's page (`/accounts/<id>/`), for every app that links a username to its profile."""
    return reverse("account-detail", args=[account_id]) if account_id is not None else None
