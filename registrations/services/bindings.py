"""The registrar's binding feed (POST /api/v1/registrations/), applied set-based.

A batch is applied in time order, as the rules (docs/sip-and-registrations.md) say, but
not one statement per item: the accounts are locked once, every binding the batch can touch is
read in one query, the items are applied to those rows in memory, and the result is written back
in one COPY (the new bindings) and one `UPDATE ... FROM unnest(...)` (the changed ones). A batch of
1,000 is a handful of statements whatever it holds, inside the ingest transaction (all-or-nothing).
"""

import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, fields

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from voipadmin.bulk import any_of, array_literal, copy_insert_new

from ..models import Account, EndReason, RegistrationBinding
from .accounts import account_ids_for_usernames
from .status import StatusCause, accounts_lock, status_events

# The columns a write changes (the others are set when the binding opens and never change).
CHANGED_COLUMNS = ("expires_at", "refreshed_at", "user_agent", "removed_at", "removed_reason", "registrar")
_order = itertools.count(1)


@dataclass(eq=False)
class Slot:
    """A binding in memory while a batch is applied (pk None: opened by this batch)."""

    pk: int | None
    account_id: int
    username: str
    contact: str
    remote_ip: str
    remote_port: int
    transport: str
    user_agent: str
    registered_at: datetime.datetime
    refreshed_at: datetime.datetime
    expires_at: datetime.datetime
    removed_at: datetime.datetime | None
    removed_reason: str
    registrar: str
    event_id: str
    last_event_id: str
    order: int = 0  # newest first among equal registered_at: the id, or after every stored one
    dirty: bool = False

    @property
    def swept(self) -> bool:
        """Ended by the expiry sweep at its own expiry: a later expiry reopens it."""
        return (
            self.removed_reason == EndReason.EXPIRED
            and self.removed_at is not None
            and (self.removed_at >= self.expires_at)
        )

    @property
    def open(self) -> bool:
        """No event ended it (it may still have expired)."""
        return self.removed_at is None or self.swept

    def covers(self, moment: datetime.datetime) -> bool:
        """Active at `moment`: registered_at <= moment < expires_at, and not ended by then."""
        return (
            self.registered_at <= moment < self.expires_at and (self.open or self.removed_at > moment)  # type: ignore[operator]
        )

    def address(self) -> tuple[str, int, str]:
        return (self.remote_ip, self.remote_port, self.transport)

    def end(self, *, moment: datetime.datetime, reason: str, event_id: str) -> None:
        self.removed_at, self.removed_reason, self.last_event_id, self.dirty = moment, reason, event_id, True


SLOT_COLUMNS = [each.name for each in fields(Slot) if each.name not in ("pk", "order", "dirty")]


@dataclass
class Working:
    """The bindings of the batch's accounts that the batch can touch, and what it did to them."""

    by_account: dict[int, list[Slot]]
    event_ids: set[str]  # events that opened a binding: stored, or earlier in the batch

    def slots(self, account_id: int) -> list[Slot]:
        return self.by_account.setdefault(account_id, [])

    def online_here(self, now: datetime.datetime) -> set[int]:
        """The accounts with a binding live at `now` among the bindings the batch holds."""
        return {
            account_id
            for account_id, mine in self.by_account.items()
            if any(slot.removed_at is None and slot.expires_at > now for slot in mine)
        }

    def online_elsewhere(self, account_ids: set[int], *, now: datetime.datetime) -> set[int]:
        """Which of these accounts have a binding live at `now` that the batch does not hold (so
        did not change): one query, of the accounts whose held bindings changed their state only."""
        if not account_ids:
            return set()
        model = RegistrationBinding
        held = {slot.pk for account_id in account_ids for slot in self.by_account.get(account_id, [])}
        live = model.objects.filter(any_of(model, "account", sorted(account_ids)))
        live = live.filter(removed_at__isnull=True, expires_at__gt=now).values_list("account", "pk")
        return {account_id for account_id, pk in live if pk not in held}


def working_set(
    *,
    account_ids: Iterable[int],
    first: datetime.datetime,
    last: datetime.datetime,
    event_ids: Iterable[str],
    contacts: Iterable[str] | None = None,
    whole: Iterable[int] = (),
) -> Working:
    """Every binding of these accounts that an event between `first` and `last` could refresh,
    move or end (active at some time between them), and which of `event_ids` opened a binding
    already. Two queries. With `contacts`, only those contacts' bindings, but every binding of the
    `whole` accounts (an unregister of `*`)."""
    ids = sorted(set(account_ids))
    model = RegistrationBinding
    window = Q(expires_at__gt=first, registered_at__lte=last) & (
        Q(removed_at__isnull=True) | Q(removed_at__gt=first) | Q(removed_reason=EndReason.EXPIRED)
    )
    if contacts is not None:
        named = Q(any_of(model, "contact", sorted(set(contacts))))
        if whole:
            named |= Q(any_of(model, "account", sorted(set(whole))))
        window &= named
    if connection.vendor == "postgresql" and contacts is not None and not whole:
        rows = _window_by_contact(account_ids=ids, contacts=contacts, first=first, last=last)
    else:
        rows = model.objects.filter(any_of(model, "account", ids)).filter(window).values_list("pk", *SLOT_COLUMNS)
    by_account: dict[int, list[Slot]] = {}
    for pk, *values in rows:
        slot = Slot(pk, *values, order=pk)
        by_account.setdefault(slot.account_id, []).append(slot)
    wanted = sorted(set(event_ids))
    stored = set(model.objects.filter(any_of(model, "event_id", wanted)).values_list("event_id", flat=True))
    return Working(by_account=by_account, event_ids=stored)


def _window_by_contact(*, account_ids, contacts, first, last) -> list[tuple]:
    """working_set's read (the same conditions) as a join of the batch's contacts with the
    bindings, which PostgreSQL serves with the (account, contact, registered_at) index whatever its
    statistics say of expires_at (stale ones made it scan every binding expiring in the window)."""
    table = connection.ops.quote_name(RegistrationBinding._meta.db_table)
    columns = ", ".join(f"b.{connection.ops.quote_name(RegistrationBinding._meta.get_field(name).column)}"
                        for name in ("id", *SLOT_COLUMNS))  # fmt: skip
    sql = (
        f"SELECT {columns} FROM (SELECT DISTINCT contact FROM unnest(%s::text[]) AS c(contact)) c "
        f"JOIN {table} b ON b.contact = c.contact AND b.account_id = ANY(%s::bigint[]) "
        "AND b.registered_at <= %s AND b.expires_at > %s "
        "AND (b.removed_at IS NULL OR b.removed_at > %s OR b.removed_reason = 'expired')"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [array_literal(contacts), array_literal(account_ids), last, first, first])
        return cursor.fetchall()


def item_apply(*, working: Working, account_id: int, item: dict, snapshot: bool = False) -> str:
    """Apply one registration event to the account's bindings in `working`; says what it did:
    "opened", "moved" (opened, the contact's binding elsewhere ended), "refreshed", "ended" or ""
    (nothing: a replay, an older refresh, an unregister of nothing).

    - expires 0: the contact's binding live at that time ends there (`*`: every contact's), with
      the item's reason (unregister, or expired when the registrar expired it);
    - a REGISTER from the address of the contact's live binding refreshes it (later expiry);
    - a REGISTER of the contact from another address ends the old binding ("moved") and opens one;
    - otherwise a new binding opens.

    `snapshot`: the item is a registrar snapshot's contact, not a REGISTER: a match only ever gets
    a later expiry (and the registrar), never a new refresh time or user agent.
    """
    event_id = item["event_id"]
    if event_id in working.event_ids:
        return ""
    moment, contact = item["timestamp"], item["contact"]
    mine = working.slots(account_id)
    if item["expires"] == 0:
        reason = item.get("reason") or EndReason.UNREGISTER
        ending = [
            slot
            for slot in mine
            if (contact == "*" or slot.contact == contact)
            and slot.open
            and slot.registered_at <= moment < slot.expires_at
        ]
        for slot in ending:
            slot.end(moment=moment, reason=reason, event_id=event_id)
        return "ended" if ending else ""
    expires_at = moment + datetime.timedelta(seconds=item["expires"])
    address = (item["remote_ip"], item["remote_port"], item["transport"])
    active = sorted(
        (slot for slot in mine if slot.contact == contact and slot.covers(moment)),
        key=lambda slot: (slot.registered_at, slot.order),
        reverse=True,
    )
    same = [slot for slot in active if slot.address() == address]
    if same:
        return "refreshed" if _refresh(same[0], item=item, expires_at=expires_at, snapshot=snapshot) else ""
    moved = [slot for slot in active if slot.open]
    for slot in moved:
        slot.end(moment=moment, reason=EndReason.MOVED, event_id=event_id)
    mine.append(
        Slot(
            pk=None,
            account_id=account_id,
            username=item["username"],
            contact=contact,
            remote_ip=item["remote_ip"],
            remote_port=item["remote_port"],
            transport=item["transport"],
            user_agent=item.get("user_agent", ""),
            registered_at=moment,
            refreshed_at=moment,
            expires_at=expires_at,
            removed_at=None,
            removed_reason="",
            registrar=item.get("registrar", ""),
            event_id=event_id,
            last_event_id=event_id,
            order=10**18 + next(_order),
            dirty=True,
        )
    )
    working.event_ids.add(event_id)
    return "moved" if moved else "opened"


def _refresh(slot: Slot, *, item: dict, expires_at: datetime.datetime, snapshot: bool) -> bool:
    """Later expiry (reopening a binding the sweep expired), latest refresh and user agent, the
    registrar that holds it now; a replayed older refresh changes nothing."""
    changed = False
    if expires_at > slot.expires_at:
        if slot.swept:
            slot.removed_at, slot.removed_reason = None, ""
        slot.expires_at = expires_at
        changed = True
    if not snapshot and item["timestamp"] > slot.refreshed_at:
        slot.refreshed_at = item["timestamp"]
        if item.get("user_agent") and item["user_agent"] != slot.user_agent:
            slot.user_agent = item["user_agent"]
        changed = True
    registrar = item.get("registrar", "")
    if registrar and registrar != slot.registrar and (changed or snapshot):
        slot.registrar = registrar
        changed = True
    if changed:
        slot.last_event_id, slot.dirty = item["event_id"], True
    return changed


def working_write(working: Working) -> None:
    """The batch's new bindings in one COPY, its changed ones in one UPDATE, stamped with the
    wall clock (`updated_at`: what reconciliation and User Monitoring's poll look back to)."""
    now = timezone.now()
    slots = [slot for mine in working.by_account.values() for slot in mine if slot.dirty]
    new = [slot for slot in slots if slot.pk is None]
    changed = [slot for slot in slots if slot.pk is not None]
    if new:
        copy_insert_new(
            RegistrationBinding,
            [{**{name: getattr(slot, name) for name in SLOT_COLUMNS}, "updated_at": now} for slot in new],
        )
    if changed:
        _update(changed, now=now)


STAGE_TYPES = {
    "id": "bigint",
    "expires_at": "timestamptz",
    "refreshed_at": "timestamptz",
    "removed_at": "timestamptz",
    "user_agent": "text",
    "removed_reason": "text",
    "registrar": "text",
    "last_event_id": "text",
}


def _update(slots: list[Slot], *, now: datetime.datetime) -> None:
    """The changed bindings' columns COPYed into a stage table private to the transaction, then one
    `UPDATE ... FROM` it (PostgreSQL); elsewhere one UPDATE per binding."""
    names = [name for name in STAGE_TYPES if name != "id"]
    if connection.vendor != "postgresql":
        for slot in slots:
            values = {name: getattr(slot, name) for name in names}
            RegistrationBinding.objects.filter(pk=slot.pk).update(**values, updated_at=now)
        return
    table = connection.ops.quote_name(RegistrationBinding._meta.db_table)
    stage = "registrations_binding_changes"
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGE_TYPES.items())
    sets = ", ".join(f"{name} = v.{name}" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{stage}")
        cursor.execute(f"CREATE TEMP TABLE {stage} ({columns}) ON COMMIT DROP")
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY pg_temp.{stage} FROM STDIN") as copy:
            for slot in slots:
                copy.write_row([slot.pk, *(getattr(slot, name) for name in names)])
        cursor.execute(
            f"UPDATE {table} AS t SET {sets}, updated_at = %s FROM pg_temp.{stage} v WHERE t.id = v.id", [now]
        )
        cursor.execute(f"DROP TABLE pg_temp.{stage}")


def _cause(item: dict, outcome: str) -> StatusCause:
    why = {EndReason.EXPIRED: "expired"}.get(item.get("reason", ""), "unregistered")
    return StatusCause(
        time=item["timestamp"],
        remote_ip=item["remote_ip"],
        remote_port=item["remote_port"],
        transport=item["transport"],
        user_agent=item.get("user_agent", ""),
        event_id=item["event_id"],
        contact=item["contact"],
        why=why if outcome == "ended" else "",
    )


def _span(items: list[dict], accounts: dict[str, int]) -> dict:
    """working_set's arguments for a batch: its time span, event ids and contacts (all of an
    account's when an item unregisters `*`: those accounts' bindings are read whole)."""
    moments = [item["timestamp"] for item in items]
    return {
        "first": min(moments),
        "last": max(moments),
        "event_ids": [item["event_id"] for item in items],
        "contacts": [item["contact"] for item in items if item["contact"] != "*"],
        "whole": [accounts[item["username"]] for item in items if item["contact"] == "*"],
    }


def registrations_store(*, items: list[dict]) -> int:
    """Apply a batch of registration events in time order; returns the events that changed a binding.

    An account whose first live binding appears, or whose last one ends, gets a `status` server
    event (0 offline -> 1 online, 1 -> 0).
    """
    now = timezone.now()
    accounts = account_ids_for_usernames(item["username"] for item in items)
    touched = accounts_lock(accounts.values())
    working = working_set(account_ids=touched, **_span(items, accounts))
    here_before = working.online_here(now)
    changed = 0
    causes: dict[int, StatusCause] = {}
    for _index, item in sorted(enumerate(items), key=lambda pair: (pair[1]["timestamp"], pair[0])):
        account_id = accounts[item["username"]]
        outcome = item_apply(working=working, account_id=account_id, item=item)
        if outcome:
            changed += 1
        causes[account_id] = _cause(item, outcome)
    # Only an account whose held bindings went from live to none (or back) can change status;
    # its other live bindings, if any, decide (read before the batch's own rows are written).
    here_after = working.online_here(now)
    moved = here_before ^ here_after
    elsewhere = working.online_elsewhere(moved, now=now)
    working_write(working)
    status_events(before=(here_before & moved) | elsewhere, after=(here_after & moved) | elsewhere, causes=causes)
    return changed


def binding_apply(*, account: Account, item: dict) -> bool:
    """One registration event alone (the feed's rules for a batch of one, without status events);
    False when it changes nothing."""
    accounts_lock([account.pk])
    working = working_set(account_ids=[account.pk], **_span([item], {account.username: account.pk}))
    outcome = item_apply(working=working, account_id=account.pk, item=item)
    working_write(working)
    return bool(outcome)
