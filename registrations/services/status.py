"""Online / offline as `status` server events, around any write that ends or opens bindings.

Every writer of bindings (the registration feed, a registrar snapshot, a lost connection, the
expiry sweep) locks the accounts it touches first, in id order, then the bindings: two writers on
one account take turns and each sees the other's rows, and no two lock in opposite orders.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from voipadmin.bulk import any_of

from ..models import Account, remote_address
from .accounts import online_accounts


def accounts_lock(account_ids: Iterable[int]) -> list[int]:
    """Lock these accounts' rows (FOR UPDATE, in id order) until the transaction ends."""
    ordered = sorted(set(account_ids))
    if ordered:
        locked = Account.objects.select_for_update().filter(any_of(Account, "id", ordered)).order_by("pk")
        list(locked.values_list("pk", flat=True))
    return ordered


@dataclass(frozen=True)
class StatusCause:
    """What a status event tells: when, from where, and which event or rule moved the account."""

    time: datetime.datetime
    remote_ip: str
    remote_port: int | None
    transport: str
    user_agent: str = ""
    event_id: str = ""
    contact: str = ""
    why: str = ""  # a word for the offline description: "unregistered", "expired", ...


def status_events(
    *,
    before: set[int],
    causes: dict[int, StatusCause],
    now: datetime.datetime | None = None,
    after: set[int] | None = None,
) -> int:
    """A `status` server event for each account of `causes` whose being online changed from
    `before` to `after` (or to its state at `now`: 0 offline -> 1 online, 1 -> 0); returns how many
    were written."""
    from audit.models import ServerEvent
    from audit.services import status_change_build

    if after is None:
        after = online_accounts(causes, now=now)
    moved = sorted((before ^ after) & causes.keys())
    if not moved:
        return 0
    accounts = Account.objects.in_bulk(moved)
    events = []
    for account_id in moved:
        account, cause, online = accounts[account_id], causes[account_id], account_id in after
        address = remote_address(cause.remote_ip, cause.remote_port, cause.transport)
        if online:
            description = f"registered from {address}"
        else:
            description = f"{cause.why or 'unregistered'} (last binding, {address})"
        events.append(
            status_change_build(
                time=cause.time,
                username=account.username,
                display_name=account.display_name or account.full_name,
                ip=cause.remote_ip,
                user_agent=cause.user_agent,
                previous_status=0 if online else 1,
                new_status=1 if online else 0,
                users=[account.username],
                description=description,
                details={"event_id": cause.event_id, "contact": cause.contact},
            )
        )
    ServerEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)
