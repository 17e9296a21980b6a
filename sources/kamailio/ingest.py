"""Storing a batch of Kamailio's facts: each becomes the API's items, stored by the API's services.

Runs inside the ingest transaction (voipadmin.api.ingest): the whole batch, with the calls it
merged, the CDRs and terminal states it derived, commits or rolls back together, so the delivery
process may post it again after any failure and find it "unchanged".
"""

import datetime
from decimal import Decimal

from cdr.serializers import CdrIngestSerializer
from cdr.services.ingest import cdrs_ingest
from monitoring.serializers import TerminalStateIngestSerializer
from monitoring.services import terminal_states_store
from registrations.serializers import RegistrationIngestSerializer, SnapshotContactSerializer
from registrations.services import registrations_store
from registrations.services.snapshot import registrations_snapshot
from sip_sessions.serializers import SipEventIngestSerializer
from sip_sessions.services import sip_events_store
from voipadmin.api.ingest import validate_batch

from .calls import calls_merge, cdr_items, terminal_state_items
from .facts import CALL_KINDS, fact_time, registration_items, sip_event_items
from .usrloc import snapshot_contacts

BINDING_KINDS = {"register", "unregister", "expired"}
CONNECTION_ENDS = {"disconnect", "network_error"}
SNAPSHOT_CHUNK = 5000  # contacts read per validate_batch call (it takes at most INGEST_MAX_BATCH_ITEMS)


def kamailio_facts_store(*, items: list[dict]) -> int:
    """Store validated facts; returns how many changed something (at most the facts received)."""
    changed = 0
    registrations: list[dict] = []
    for segment in fact_segments(items):
        mine = [item for fact in segment for item in registration_items(fact)]
        events = [item for fact in segment for item in sip_event_items(fact)]
        if mine:
            changed += registrations_store(items=_valid(RegistrationIngestSerializer, mine))
        if events:
            changed += sip_events_store(items=_valid(SipEventIngestSerializer, events))
        registrations += mine
    calls = calls_merge(facts=[fact for fact in items if fact["kind"] in CALL_KINDS])
    cdrs = cdr_items(calls)
    if cdrs:
        changed += cdrs_ingest(items=_valid(CdrIngestSerializer, cdrs))
    usernames = {item["username"] for item in registrations} | {
        name for call in calls for name in (call.caller, call.callee) if name
    }
    moment = max(fact_time(fact) for fact in items)
    states = terminal_state_items(usernames=usernames, moment=moment)
    if states:
        changed += terminal_states_store(items=_valid(TerminalStateIngestSerializer, states))
    return min(changed, len(items))


def fact_segments(facts: list[dict]) -> list[list[dict]]:
    """The facts in time order, cut where a binding change (register, unregister, expiry) and a
    connection's end (DISCONNECT, NETWORK_ERROR, which ends the binding at that address) follow
    each other: each segment is stored set-based, the segments in order, so a connection lost
    before a later expiry ends its binding as `connection_lost`, and a REGISTER before its
    connection's loss exists when the loss is applied."""
    segments: list[list[dict]] = []
    current: list[dict] = []
    side = ""
    for fact in sorted(facts, key=lambda fact: (Decimal(fact["at"]), fact.get("outbox_id", 0))):
        kind = fact["kind"]
        fact_side = "binding" if kind in BINDING_KINDS else "connection" if kind in CONNECTION_ENDS else ""
        if fact_side and side and fact_side != side:
            segments.append(current)
            current = []
        side = fact_side or side
        current.append(fact)
    if current:
        segments.append(current)
    return segments


def kamailio_usrloc_store(*, registrar: str, taken_at: datetime.datetime, dump: dict) -> dict[str, int]:
    """A `ul.dump` taken at `taken_at` as the registrar's snapshot (bindings it no longer holds
    end with reason resync; contacts the console missed are opened). The contacts are read one
    by one like a batch's items (the lean reader: a large registrar's dump stays cheap)."""
    found = snapshot_contacts(dump)
    contacts = [
        contact
        for start in range(0, len(found), SNAPSHOT_CHUNK)
        for contact in _valid(SnapshotContactSerializer, found[start : start + SNAPSHOT_CHUNK])
    ]
    return registrations_snapshot(registrar=registrar, taken_at=taken_at, contacts=contacts)


def _valid(serializer_class, items) -> list[dict]:
    """The items as the API's serializer reads them; a fact that maps to a bad item is refused
    (a 400 naming the derived item's index and field) like a bad API item. Times go in as the
    API's JSON has them (ISO 8601 text), which the serializer's lean reader takes straight."""
    return validate_batch(serializer_class, _as_json(items))


def _as_json(value):
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value
