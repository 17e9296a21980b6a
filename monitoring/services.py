"""Writes of the monitoring app: the terminal-state feed and the trim of its history.

The store runs inside the ingest transaction (voipadmin.api.ingest), so a batch is all-or-nothing.
"""

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from registrations.services import accounts_for_usernames
from voipadmin.bulk import insert_new_returning
from voipadmin.partitions import delete_older_than

from .models import STATE_FIELDS, TerminalState, TerminalStateEvent

STATE_COLUMNS = ("account_id", *STATE_FIELDS, "event_id", "timestamp", "updated_at")
# Rows per INSERT: 11 parameters each stays far below PostgreSQL's and SQLite's limits.
UPSERT_ROWS = 500


def terminal_states_store(*, items: list[dict]) -> int:
    """Apply a batch of terminal states; returns the items that were new (their event_id unseen,
    or, for an item older than the history, one that still moved its terminal's state).

    Each item goes into the history (the diagnostics' terminal changes) once, by event_id. The
    current state of each (user, slot) keeps the item with the greatest (timestamp, event_id) ever
    received, in one upsert whose WHERE refuses an older item: the order in which batches, or items
    within one, arrive changes nothing. An unknown username gets a bare account, as a registration
    does: the server that reports the terminal knows the user, and no state may be lost.
    """
    accounts = accounts_for_usernames(item["username"] for item in items)
    now = timezone.now()  # after the first statement: not earlier than this transaction's start
    history_from = now - datetime.timedelta(days=settings.MONITORING_HISTORY_DAYS)
    kept = sorted((item for item in items if item["timestamp"] >= history_from), key=lambda item: item["event_id"])
    new_events = {
        event_id
        for (event_id,) in insert_new_returning(
            TerminalStateEvent,
            [TerminalStateEvent(**_fields(item, accounts), received_at=now) for item in kept],
            returning=("event_id",),
        )
    }
    newest: dict[tuple[int, int], dict] = {}
    for item in items:
        key = (accounts[item["username"]].pk, item["terminal"])
        if key not in newest or _order(item) > _order(newest[key]):
            newest[key] = item
    moved = _upsert([{**_fields(newest[key], accounts), "updated_at": now} for key in sorted(newest)])
    old = {item["event_id"] for item in items if item["timestamp"] < history_from}
    return len(new_events | (moved & old))


def _order(item: dict) -> tuple:
    return (item["timestamp"], item["event_id"])


def _fields(item: dict, accounts: dict) -> dict:
    values = {name: item[name] for name in (*STATE_FIELDS, "event_id", "timestamp")}
    return {"account_id": accounts[item["username"]].pk, **values}


def _upsert(rows: list[dict]) -> set[str]:
    """INSERT ... ON CONFLICT (account, slot) DO UPDATE ... WHERE the stored state is older;
    returns the event_ids that were written. Rows come sorted by (account, slot), so two batches
    lock the rows they share in the same order."""
    table = connection.ops.quote_name(TerminalState._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in STATE_COLUMNS)
    updates = ", ".join(
        f"{name} = EXCLUDED.{name}" for name in (connection.ops.quote_name(c) for c in STATE_COLUMNS[2:])
    )
    stamp, event = connection.ops.quote_name("timestamp"), connection.ops.quote_name("event_id")
    written: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[start : start + UPSERT_ROWS]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(STATE_COLUMNS)) + ")"] * len(chunk))
            params = [_adapt(row[name]) for row in chunk for name in STATE_COLUMNS]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders} "
                f"ON CONFLICT (account_id, terminal) DO UPDATE SET {updates} "
                f"WHERE ({table}.{stamp}, {table}.{event}) < (EXCLUDED.{stamp}, EXCLUDED.{event}) "
                f"RETURNING {event}",
                params,
            )
            written.update(event_id for (event_id,) in cursor.fetchall())
    return written


def _adapt(value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def terminal_history_trim(*, now: datetime.datetime | None = None) -> int:
    """Delete pushed terminal states older than MONITORING_HISTORY_DAYS, in short batches; the
    history only serves the diagnostics of the last two days. Returns the rows removed."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.MONITORING_HISTORY_DAYS)
    return delete_older_than(TerminalStateEvent, cutoff, batch=5000, field="timestamp")
