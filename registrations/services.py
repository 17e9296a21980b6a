"""Writes of the registrations app: the account upsert and the registrar's binding feed.

Both run inside the ingest transaction (voipadmin.api.ingest), so a batch is all-or-nothing, and
both count as "created" the items that changed something: posting an item again changes nothing.
"""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Account, RegistrationBinding, remote_address

ACCOUNT_FIELDS = ("display_name", "first_name", "last_name", "department", "extension", "mobile", "active")


def accounts_upsert(*, items: list[dict]) -> int:
    """Create or update accounts by username, one save() each so model signals (the audit log)
    see every change; fields an item leaves out keep their value. Returns accounts changed."""
    existing = {
        account.username: account
        for account in Account.objects.select_for_update().filter(username__in={item["username"] for item in items})
    }
    changed = 0
    for item in items:
        account = existing.get(item["username"])
        if account is None:
            account = _account_create(username=item["username"], fields=item)
            existing[account.username] = account
            changed += 1
            continue
        updates = [name for name in ACCOUNT_FIELDS if name in item and getattr(account, name) != item[name]]
        if updates:
            for name in updates:
                setattr(account, name, item[name])
            account.save(update_fields=[*updates, "updated_at"])
            changed += 1
    return changed


def _account_create(*, username: str, fields: dict) -> Account:
    """A new account; if a concurrent feed created it first, that row is updated instead."""
    account = Account(username=username, **{name: fields[name] for name in ACCOUNT_FIELDS if name in fields})
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        account = Account.objects.select_for_update().get(username=username)
        updates = [name for name in ACCOUNT_FIELDS if name in fields and getattr(account, name) != fields[name]]
        for name in updates:
            setattr(account, name, fields[name])
        if updates:
            account.save(update_fields=[*updates, "updated_at"])
    return account


def accounts_for_usernames(usernames: Iterable[str]) -> dict[str, Account]:
    """The accounts of these usernames, creating a bare one for each the console does not know yet:
    a registration the registrar accepted proves the account exists, and none may be lost."""
    wanted = set(usernames)
    found = {account.username: account for account in Account.objects.filter(username__in=wanted)}
    for username in sorted(wanted - found.keys()):
        found[username] = _account_create(username=username, fields={})
    return found


def online_accounts(account_ids: Iterable[int], *, now: datetime.datetime) -> set[int]:
    """Which of these accounts have a live binding at `now`."""
    return set(
        RegistrationBinding.objects.filter(
            account_id__in=list(account_ids), removed_at__isnull=True, expires_at__gt=now
        ).values_list("account_id", flat=True)
    )


def registrations_store(*, items: list[dict]) -> int:
    """Apply a batch of registration events in time order; returns the events that changed a binding.

    An account whose first live binding appears, or whose last one is unregistered, gets a
    `status` server event (0 offline -> 1 online, 1 -> 0).
    """
    now = timezone.now()
    accounts = accounts_for_usernames(item["username"] for item in items)
    touched = sorted({account.pk for account in accounts.values()})
    # Two feeds touching one account take turns, so each sees the other's bindings.
    list(Account.objects.select_for_update().filter(pk__in=touched).order_by("pk").values_list("pk", flat=True))
    before = online_accounts(touched, now=now)
    changed = 0
    latest: dict[int, dict] = {}
    for _index, item in sorted(enumerate(items), key=lambda pair: (pair[1]["timestamp"], pair[0])):
        account = accounts[item["username"]]
        changed += binding_apply(account=account, item=item, now=now)
        latest[account.pk] = item
    after = online_accounts(touched, now=now)
    for account_id in sorted(before ^ after):
        _status_event(account=Account.objects.get(pk=account_id), item=latest[account_id], online=account_id in after)
    return changed


def binding_apply(*, account: Account, item: dict, now: datetime.datetime) -> bool:
    """Apply one registration event to the account's bindings; False when it changes nothing.

    - expires 0: the contact's binding live at that time ends there (`*`: every contact's);
    - a REGISTER from the address of the contact's live binding refreshes it (later expiry);
    - a REGISTER of the contact from another address ends the old binding and opens a new one;
    - otherwise a new binding opens.
    """
    if RegistrationBinding.objects.filter(event_id=item["event_id"]).exists():
        return False
    moment = item["timestamp"]
    address = (item["remote_ip"], item["remote_port"], item["transport"])
    mine = RegistrationBinding.objects.filter(account=account)
    if item["expires"] == 0:
        live = mine.filter(registered_at__lte=moment, expires_at__gt=moment, removed_at__isnull=True)
        if item["contact"] != "*":
            live = live.filter(contact=item["contact"])
        ended = live.update(
            removed_at=moment, removed_reason="unregister", last_event_id=item["event_id"], updated_at=now
        )
        return ended > 0
    expires_at = moment + datetime.timedelta(seconds=item["expires"])
    active = list(
        mine.filter(contact=item["contact"], registered_at__lte=moment, expires_at__gt=moment)
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gt=moment))
        .order_by("-registered_at", "-id")
    )
    same = [binding for binding in active if (binding.remote_ip, binding.remote_port, binding.transport) == address]
    if same:
        return _refresh(same[0], item=item, expires_at=expires_at, now=now)
    moved = [binding.pk for binding in active if binding.removed_at is None]
    if moved:
        RegistrationBinding.objects.filter(pk__in=moved).update(
            removed_at=moment, removed_reason="moved", last_event_id=item["event_id"], updated_at=now
        )
    RegistrationBinding.objects.create(
        account=account,
        username=account.username,
        contact=item["contact"],
        remote_ip=item["remote_ip"],
        remote_port=item["remote_port"],
        transport=item["transport"],
        user_agent=item.get("user_agent", ""),
        registered_at=moment,
        refreshed_at=moment,
        expires_at=expires_at,
        event_id=item["event_id"],
        last_event_id=item["event_id"],
    )
    return True


def _refresh(binding: RegistrationBinding, *, item: dict, expires_at: datetime.datetime, now) -> bool:
    """Later expiry, latest refresh and user agent; a replayed older refresh changes nothing."""
    changes: dict = {}
    if expires_at > binding.expires_at:
        changes["expires_at"] = expires_at
    if item["timestamp"] > binding.refreshed_at:
        changes["refreshed_at"] = item["timestamp"]
        if item.get("user_agent") and item["user_agent"] != binding.user_agent:
            changes["user_agent"] = item["user_agent"]
    if not changes:
        return False
    RegistrationBinding.objects.filter(pk=binding.pk).update(**changes, last_event_id=item["event_id"], updated_at=now)
    return True


def _status_event(*, account: Account, item: dict, online: bool) -> None:
    from audit.services import status_change

    address = remote_address(item["remote_ip"], item["remote_port"], item["transport"])
    status_change(
        time=item["timestamp"],
        username=account.username,
        display_name=account.display_name or account.full_name,
        ip=item["remote_ip"],
        user_agent=item.get("user_agent", ""),
        previous_status=0 if online else 1,
        new_status=1 if online else 0,
        users=[account.username],
        description=f"registered from {address}" if online else f"unregistered (last binding, {address})",
        details={"event_id": item["event_id"], "contact": item["contact"]},
    )
