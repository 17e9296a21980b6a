"""Writes of the SIP activity log: the ingest of the server's events."""

from django.db import connection

from registrations.models import Account
from registrations.services import bindings_connection_lost
from voipadmin.bulk import any_of, array_literal, copy_new
from voipadmin.partitions import ensure_partitions_for, month_bounds, month_start

from .models import SipEvent

Key = tuple  # (event_id, time): the table's unique constraint
# The store probes every PROBE_SAMPLE-th key of a batch (and its last) before it probes them all.
PROBE_SAMPLE = 100


def stored_event_keys(keys: list[Key]) -> set[Key]:
    """The (event_id, time) pairs of `keys` already stored. On PostgreSQL one query per month the
    batch's times fall in (one, mostly): `event_id = ANY(array)` within that month's partition
    bounds, which the unique index (event_id, time) serves. A join of the batch's pairs would be
    planned per partition (a never-analyzed one read by a sequential scan per pair), and a filter
    on the batch's time range walks every event stored in it."""
    if not keys:
        return set()
    wanted = set(keys)
    if connection.vendor != "postgresql":
        times = [moment for _event_id, moment in keys]
        stored = SipEvent.objects.filter(
            any_of(SipEvent, "event_id", sorted({event_id for event_id, _moment in keys})),
            time__gte=min(times),
            time__lte=max(times),
        )
        return {key for key in stored.values_list("event_id", "time") if key in wanted}
    by_month: dict = {}
    for event_id, moment in keys:
        by_month.setdefault(month_start(moment), set()).add(event_id)
    table = connection.ops.quote_name(SipEvent._meta.db_table)
    found: set[Key] = set()
    with connection.cursor() as cursor:
        for month, event_ids in sorted(by_month.items()):
            cursor.execute(
                f"SELECT event_id, time FROM {table} WHERE time >= %s AND time < %s AND event_id = ANY(%s::text[])",
                [*month_bounds(month), array_literal(sorted(event_ids))],
            )
            found.update(key for key in cursor.fetchall() if key in wanted)
    return found


def stored_keys_of_batch(keys: list[Key]) -> set[Key]:
    """The stored keys of a batch, by a probe of a sample first: every PROBE_SAMPLE-th key and the last.

    The full probe (1,000 index probes) took 4-10 ms of a new batch's ~30 ms store at 200k rows,
    and a new batch is the common case. Where the sample finds nothing stored the answer is "none" and the batch
    goes by COPY; a row stored after all (an overlap the sample missed, another client's commit)
    breaks the unique constraint, which is (event_id, time) itself, and `copy_new` then stores the
    batch by ON CONFLICT DO NOTHING and returns the rows really new: the answer is the same, only
    the rows the failed COPY wrote before the conflict are left dead. A batch re-sent whole (a
    client's retry) meets the sample and is probed in full: nothing is written.
    """
    sample = keys[::PROBE_SAMPLE] + keys[-1:]
    if len(sample) >= len(keys):
        return stored_event_keys(keys)
    return stored_event_keys(keys) if stored_event_keys(sample) else set()


def sip_events_store(*, items: list[dict]) -> int:
    """Insert the new events of a batch (a repeated (event_id, time) is skipped); returns rows created.

    A username the server gives is linked to its account when the console knows it (unknown
    names, e.g. a scanner's guesses, are kept as text and create no account). Events without a
    username wait for reconciliation. A DISCONNECT or NETWORK_ERROR of a TCP/TLS/WS/WSS connection
    also ends the binding live at its address at that moment (reason connection_lost); the event
    still waits for reconciliation, which binds it to that binding (its end instant included).
    """
    ensure_partitions_for(SipEvent, [item["timestamp"] for item in items])
    usernames = sorted({item["username"] for item in items if item.get("username")})
    accounts = (
        dict(Account.objects.filter(any_of(Account, "username", usernames)).values_list("username", "pk"))
        if usernames
        else {}
    )
    rows: dict[Key, dict] = {}
    for item in items:
        key = (item["event_id"], item["timestamp"])
        if key in rows:
            continue  # twice in the batch: the first one counts
        username = item.get("username", "")
        rows[key] = {
            "event_id": item["event_id"],
            "time": item["timestamp"],
            "event": item["event"],
            "details": item.get("details", ""),
            "remote_ip": item.get("remote_ip"),
            "remote_port": item.get("remote_port"),
            "transport": item.get("transport", ""),
            "username": username,
            "account_id": accounts.get(username),
        }
    stored = stored_keys_of_batch(list(rows))
    new = [row for key, row in rows.items() if key not in stored]
    created = len(copy_new(SipEvent, new, key=("event_id", "time")))
    bindings_connection_lost(items=items)
    return created
