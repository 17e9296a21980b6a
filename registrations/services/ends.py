"""Bindings that end without a registration event: a lost connection, a passed expiry.

- A TCP/TLS/WS/WSS binding lives as long as its connection: a DISCONNECT or NETWORK_ERROR SIP
  event at its address ends the binding live there at that moment (`connection_lost`). UDP has
  no connection; its events end nothing.
- A binding whose expiry passed with no event (the phone went away, the registrar's expiry event
  was lost) is ended by the beat sweep at its own expiry (`expired`, removed_at = expires_at), so
  an operator reads why it ended in the history, the CSV and the API. A REGISTER that arrives
  late and extends it reopens it (bindings.Slot.swept).
"""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import CONNECTION_TRANSPORTS, EndReason, RegistrationBinding
from .accounts import online_accounts
from .status import StatusCause, accounts_lock, status_events

CONNECTION_EVENTS = frozenset({"DISCONNECT", "NETWORK_ERROR"})
SWEEP_BATCH = 5000
# Open: no event ended it (the sweep's expiry, at the expiry itself, leaves it open to events).
OPEN_SQL = "(b.removed_at IS NULL OR (b.removed_reason = 'expired' AND b.removed_at >= b.expires_at))"


def _open_at(moment: datetime.datetime) -> Q:
    """Not ended by an event at or before `moment` (OPEN_SQL, for a binding active then)."""
    return Q(removed_at__isnull=True) | Q(removed_reason=EndReason.EXPIRED, removed_at__gte=moment)


def connection_events(items: list[dict]) -> list[dict]:
    """The events of a batch that end a binding: DISCONNECT / NETWORK_ERROR of a connection."""
    return [
        item
        for item in items
        if item["event"] in CONNECTION_EVENTS
        and item.get("transport") in CONNECTION_TRANSPORTS
        and item.get("remote_ip")
        and item.get("remote_port")
    ]


def _live_at_addresses(events: list[dict]) -> dict[int, tuple[int, dict]]:
    """{binding id: (account id, the earliest event that ends it)} for the bindings open and
    active at each event's address and time (and of the event's user, when it names one)."""
    found: dict[int, tuple[int, dict]] = {}
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(RegistrationBinding._meta.db_table)
        sql = (
            f"SELECT b.id, b.account_id, b.username, e.n FROM unnest(%s::inet[], %s::int[], %s::text[], "
            f"%s::timestamptz[], %s::int[]) AS e(ip, port, transport, time, n) JOIN {table} b "
            "ON b.remote_ip = e.ip AND b.remote_port = e.port AND b.transport = e.transport "
            f"AND b.registered_at <= e.time AND e.time < b.expires_at AND {OPEN_SQL}"
        )
        params = [[event[name] for event in events] for name in ("remote_ip", "remote_port", "transport", "timestamp")]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, list(range(len(events)))])
            rows = cursor.fetchall()
    else:
        rows = []
        for n, event in enumerate(events):
            moment = event["timestamp"]
            matches = RegistrationBinding.objects.filter(
                remote_ip=event["remote_ip"],
                remote_port=event["remote_port"],
                transport=event["transport"],
                registered_at__lte=moment,
                expires_at__gt=moment,
            ).filter(_open_at(moment))
            rows.extend(
                (pk, account_id, username, n)
                for pk, account_id, username in matches.values_list("pk", "account_id", "username")
            )
    for pk, account_id, username, n in rows:
        event = events[n]
        if event.get("username") and event["username"] != username:
            continue
        if pk not in found or event["timestamp"] < found[pk][1]["timestamp"]:
            found[pk] = (account_id, event)
    return found


def bindings_connection_lost(*, items: list[dict]) -> int:
    """End the bindings whose connection these SIP events report closed or broken; returns how
    many ended. Runs in the caller's transaction (the SIP events' ingest)."""
    events = connection_events(items)
    if not events:
        return 0
    found = _live_at_addresses(events)
    if not found:
        return 0
    now = timezone.now()
    touched = accounts_lock(account_id for account_id, _event in found.values())
    before = online_accounts(touched, now=now)
    ended = 0
    causes: dict[int, StatusCause] = {}
    for pk, (account_id, event) in sorted(found.items()):
        # The account is locked now: end it only if no event ended it meanwhile.
        ended += (
            RegistrationBinding.objects.filter(pk=pk, registered_at__lte=event["timestamp"])
            .filter(_open_at(event["timestamp"]))
            .update(
                removed_at=event["timestamp"],
                removed_reason=EndReason.CONNECTION_LOST,
                last_event_id=event["event_id"],
                updated_at=now,
            )
        )
        causes[account_id] = StatusCause(
            time=event["timestamp"],
            remote_ip=event["remote_ip"],
            remote_port=event["remote_port"],
            transport=event["transport"],
            event_id=event["event_id"],
            why="connection lost",
        )
    status_events(before=before, now=now, causes=causes)
    return ended


def bindings_expire(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """End every binding whose expiry passed with no event, at its expiry (reason `expired`), in
    batches of `batch` (one transaction each); returns how many. An account left with no live
    binding, whose last binding this was, gets its offline `status` event at that expiry.
    Two sweeps at once each end a binding once (the UPDATE re-checks under the accounts' locks)."""
    now = now or timezone.now()
    total = 0
    while True:
        candidates = list(
            RegistrationBinding.objects.filter(removed_at__isnull=True, expires_at__lte=now)
            .order_by("expires_at", "id")
            .values_list("pk", "account_id")[:batch]
        )
        if not candidates:
            return total
        with transaction.atomic():
            total += _expire(candidates, now=now)
        if len(candidates) < batch:
            return total


def _expire(candidates: list[tuple[int, int]], *, now: datetime.datetime) -> int:
    touched = accounts_lock(account_id for _pk, account_id in candidates)
    expired = list(
        RegistrationBinding.objects.filter(
            pk__in=[pk for pk, _account in candidates], removed_at__isnull=True, expires_at__lte=now
        ).values_list(
            "pk",
            "account_id",
            "expires_at",
            "remote_ip",
            "remote_port",
            "transport",
            "user_agent",
            "contact",
            "last_event_id",
        )
    )
    if not expired:
        return 0
    RegistrationBinding.objects.filter(pk__in=[row[0] for row in expired]).update(
        removed_at=F("expires_at"), removed_reason=EndReason.EXPIRED, updated_at=now
    )
    last: dict[int, tuple] = {}
    for row in expired:
        if row[1] not in last or row[2] > last[row[1]][2]:
            last[row[1]] = row
    _offline_events(last, touched=touched, now=now)
    return len(expired)


def _offline_events(last: dict[int, tuple], *, touched: list[int], now: datetime.datetime) -> None:
    """An offline event at the expiry of each account's last binding, when nothing of it lasted
    longer (another binding live, or ended later: that end already told the status)."""
    online = online_accounts(touched, now=now)
    earliest = min(row[2] for row in last.values())
    later: dict[int, list[datetime.datetime]] = defaultdict(list)
    for account_id, expires_at, removed_at in RegistrationBinding.objects.filter(
        account_id__in=list(last), expires_at__gt=earliest
    ).values_list("account_id", "expires_at", "removed_at"):
        later[account_id].append(min(expires_at, removed_at) if removed_at else expires_at)
    offline = {
        account_id: row
        for account_id, row in last.items()
        if account_id not in online and all(end <= row[2] for end in later[account_id])
    }
    if not offline:
        return
    causes = {
        account_id: StatusCause(
            time=row[2],
            remote_ip=row[3],
            remote_port=row[4],
            transport=row[5],
            user_agent=row[6],
            contact=row[7],
            event_id=row[8],
            why="expired",
        )
        for account_id, row in offline.items()
    }
    status_events(before=set(offline), now=now, causes=causes)
