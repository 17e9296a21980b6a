"""Accounts: the upsert of the accounts feed, and the bare accounts a registration proves."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from audit.services import audit_created
from voipadmin.bulk import any_of, insert_new_returning

from ..models import Account, RegistrationBinding

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
    found = {
        account.username: account for account in Account.objects.filter(any_of(Account, "username", sorted(wanted)))
    }
    missing = wanted - found.keys()
    if missing:
        found.update(_accounts_create_bare(missing))
        found.update(
            (account.username, account)
            for account in Account.objects.filter(any_of(Account, "username", sorted(missing - found.keys())))
        )
    return found


def account_ids_for_usernames(usernames: Iterable[str]) -> dict[str, int]:
    """accounts_for_usernames as {username: id}: one query of two columns for a whole batch."""
    wanted = set(usernames)
    found = dict(Account.objects.filter(any_of(Account, "username", sorted(wanted))).values_list("username", "pk"))
    missing = wanted - found.keys()
    if missing:
        found.update((username, account.pk) for username, account in _accounts_create_bare(missing).items())
        left = sorted(missing - found.keys())
        if left:
            found.update(Account.objects.filter(any_of(Account, "username", left)).values_list("username", "pk"))
    return found


def _accounts_create_bare(usernames: Iterable[str]) -> dict[str, Account]:
    """Bare accounts for these usernames in one INSERT ... ON CONFLICT (username) DO NOTHING, with
    the A record a save() would write for each row really inserted; returns those rows only.

    A username a concurrent feed is creating is skipped by the database (it waits for that
    transaction, so the caller's read afterwards finds its row): no IntegrityError, no duplicate.
    Sorted, so two batches sharing new usernames take their locks in one order and cannot deadlock.
    """
    accounts = [Account(username=username) for username in sorted(usernames)]
    with transaction.atomic(savepoint=False):
        inserted = dict(insert_new_returning(Account, accounts, returning=("username", "pk")))
        created = [account for account in accounts if account.username in inserted]
        for account in created:
            account.pk = inserted[account.username]
            account._state.adding = False
            account._state.db = "default"
        audit_created(Account, created)
    return {account.username: account for account in created}


def online_accounts(account_ids: Iterable[int], *, now: datetime.datetime) -> set[int]:
    """Which of these accounts have a live binding at `now`."""
    ids = sorted(set(account_ids))
    if not ids:
        return set()
    return set(
        RegistrationBinding.objects.filter(any_of(RegistrationBinding, "account", ids))
        .filter(removed_at__isnull=True, expires_at__gt=now)
        .values_list("account_id", flat=True)
        .distinct()
    )
