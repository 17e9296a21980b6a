"""A registrar's snapshot (POST /api/v1/registrations/snapshot/): its full set of live contacts.

A registrar that restarts with its location table in memory forgets every contact; one that the
console could not reach lost some events. Its snapshot makes the console agree with it: every live
binding the registrar holds (registered before `taken_at`) that is not in the snapshot ends at
`taken_at` with reason `resync`; a contact the console has no live binding for is opened (its
REGISTER was missed); the others stay as they are (a later expiry extends them). Contacts match by
(username, contact) and address (ip, port, transport). Posting the same snapshot again changes
nothing: a contact it opened has a source id made from the snapshot.
"""

import datetime
import hashlib

from django.db import transaction
from django.utils import timezone

from ..models import Account, EndReason, RegistrationBinding
from .accounts import accounts_for_usernames, online_accounts
from .bindings import Working, item_apply, working_set, working_write
from .status import StatusCause, accounts_lock, status_events


def snapshot_event_id(*, registrar: str, taken_at: datetime.datetime, contact: dict) -> str:
    """The stable source id of a binding a snapshot opens (64 characters at most)."""
    key = "\n".join(
        str(part)
        for part in (
            registrar,
            taken_at.isoformat(),
            contact["username"],
            contact["contact"],
            contact["remote_ip"],
            contact["remote_port"],
            contact["transport"],
        )
    )
    return "snapshot-" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()


def _key(username: str, contact: str, ip: str, port: int, transport: str) -> tuple:
    return (username, contact, ip, port, transport)


def registrations_snapshot(*, registrar: str, taken_at: datetime.datetime, contacts: list[dict]) -> dict[str, int]:
    """Resync the console's bindings of `registrar` with its live contacts at `taken_at`;
    returns {"ended": n, "opened": n, "unchanged": n}. One transaction."""
    now = timezone.now()
    with transaction.atomic():
        accounts = accounts_for_usernames(contact["username"] for contact in contacts)
        held = set(
            RegistrationBinding.objects.filter(registrar=registrar, registered_at__lt=taken_at, expires_at__gt=taken_at)
            .filter(removed_at__isnull=True)
            .values_list("account_id", flat=True)
        ) | set(
            RegistrationBinding.objects.filter(registrar=registrar, registered_at__lt=taken_at)
            .filter(removed_reason=EndReason.EXPIRED, removed_at__gt=taken_at)
            .values_list("account_id", flat=True)
        )
        by_id = {account.pk: account for account in accounts.values()}
        by_id.update({account.pk: account for account in Account.objects.filter(pk__in=held - by_id.keys())})
        touched = accounts_lock(by_id)
        before = online_accounts(touched, now=now)
        items = [
            {
                **contact,
                "event_id": snapshot_event_id(registrar=registrar, taken_at=taken_at, contact=contact),
                "timestamp": taken_at,
                "registrar": registrar,
            }
            for contact in contacts
        ]
        working = working_set(
            account_ids=touched, first=taken_at, last=max(taken_at, now), event_ids=[item["event_id"] for item in items]
        )
        causes: dict[int, StatusCause] = {}
        opened = unchanged = 0
        for item in items:
            account = accounts[item["username"]]
            if _registered_since(working, account=account, item=item):
                unchanged += 1
                continue
            outcome = item_apply(working=working, account_id=account.pk, item=item, snapshot=True)
            if outcome not in ("opened", "moved"):
                unchanged += 1
                continue
            opened += 1
            causes[account.pk] = _cause(item, why="")
        listed = {_key(c["username"], c["contact"], c["remote_ip"], c["remote_port"], c["transport"]) for c in contacts}
        ended = 0
        for account_id in touched:
            for slot in working.slots(account_id):
                if (
                    slot.pk is not None
                    and slot.registrar == registrar
                    and slot.registered_at < taken_at
                    and slot.open
                    and slot.covers(taken_at)
                    and _key(slot.username, slot.contact, *slot.address()) not in listed
                ):
                    slot.end(moment=taken_at, reason=EndReason.RESYNC, event_id=f"resync:{registrar}"[:64])
                    causes.setdefault(account_id, _cause(_slot_item(slot, taken_at), why="resync"))
                    ended += 1
        working_write(working)
        status_events(before=before, now=now, causes=causes)
    return {"ended": ended, "opened": opened, "unchanged": unchanged}


def _registered_since(working: Working, *, account: Account, item: dict) -> bool:
    """The contact has a binding at that address opened after the snapshot was taken (a REGISTER
    that crossed it): that one is the registrar's state, nothing to open."""
    address = (item["remote_ip"], item["remote_port"], item["transport"])
    return any(
        slot.contact == item["contact"] and slot.address() == address and slot.registered_at > item["timestamp"]
        for slot in working.slots(account.pk)
        if slot.open
    )


def _slot_item(slot, moment: datetime.datetime) -> dict:
    return {
        "timestamp": moment,
        "remote_ip": slot.remote_ip,
        "remote_port": slot.remote_port,
        "transport": slot.transport,
        "user_agent": slot.user_agent,
        "event_id": slot.last_event_id,
        "contact": slot.contact,
    }


def _cause(item: dict, *, why: str) -> StatusCause:
    return StatusCause(
        time=item["timestamp"],
        remote_ip=item["remote_ip"],
        remote_port=item["remote_port"],
        transport=item["transport"],
        user_agent=item.get("user_agent", ""),
        event_id=item["event_id"],
        contact=item["contact"],
        why=why,
    )
