"""Kamailio's INVITE dialogs: their facts merged into KamailioCall rows, the finished ones as CDRs,
and what User Monitoring's SIP terminal shows of each account's open calls.

The CDR is Asterisk-compatible (DESIGN.md `cdrs/`): uniqueid and linkedid from the Call-ID, src the
caller, dst the callee, start the INVITE, answer the first 2xx (or none), end the BYE or the final
failure, duration and billsec in whole seconds, and the callee's SIP code (the console derives the
disposition from it). The failure's code is the one the callee sent, not the one Kamailio relayed
(a callee's 503 goes out as 500).
"""

import datetime
import hashlib

from django.db.models import Q
from django.utils import timezone

from monitoring.models import TerminalState
from registrations.models import RegistrationBinding, remote_address

from ..models import KamailioCall
from .facts import call_key, fact_time

MERGED_TIMES = {"invite": "started_at", "ringing": "ringing_at", "answered": "answered_at"}


def calls_merge(*, facts: list[dict]) -> list[KamailioCall]:
    """Merge call facts into their calls (locked, in key order); returns the calls touched."""
    keys = sorted({call_key(fact["call_id"]) for fact in facts if fact.get("call_id")})
    if not keys:
        return []
    calls = {call.call_key: call for call in KamailioCall.objects.select_for_update().filter(call_key__in=keys)}
    for fact in sorted(facts, key=lambda fact: fact["at"]):
        if not fact.get("call_id"):
            continue
        key = call_key(fact["call_id"])
        call = calls.setdefault(key, KamailioCall(call_key=key, registrar=fact["registrar"]))
        _merge(call, fact)
    # New calls are inserted (one delivery process per registrar: a race only rolls the batch
    # back to be retried), known ones updated.
    known = [call for call in calls.values() if call.pk is not None]
    KamailioCall.objects.bulk_create([call for call in calls.values() if call.pk is None])
    KamailioCall.objects.bulk_update(
        known,
        ["caller", "callee", "started_at", "ringing_at", "answered_at", "ended_at", "sip_code", "updated_at"],
    )
    return [calls[key] for key in keys]


def _earliest(current: datetime.datetime | None, moment: datetime.datetime) -> datetime.datetime:
    return moment if current is None or moment < current else current


def _merge(call: KamailioCall, fact: dict) -> None:
    moment = fact_time(fact)
    kind = fact["kind"]
    if kind == "invite":
        call.caller = call.caller or fact.get("caller", "")[:64]
        call.callee = call.callee or fact.get("callee", "")[:64]
    if kind in MERGED_TIMES:
        setattr(call, MERGED_TIMES[kind], _earliest(getattr(call, MERGED_TIMES[kind]), moment))
    if kind == "answered" and call.sip_code is None:
        call.sip_code = fact.get("sip_code") or 200
    if kind == "failed" and call.answered_at is None:
        call.ended_at = _earliest(call.ended_at, moment)
        call.sip_code = fact.get("sip_code") or call.sip_code
    if kind == "bye":
        call.ended_at = _earliest(call.ended_at, moment)
    call.updated_at = timezone.now()


def cdr_items(calls: list[KamailioCall]) -> list[dict]:
    """The CDR items of the calls that finished and were not stored yet (marked stored now)."""
    items = []
    finished = [call for call in calls if call.ended_at and call.started_at and not call.cdr_stored]
    for call in finished:
        end = max(call.ended_at, call.started_at)
        answer = call.answered_at if call.answered_at and call.answered_at <= end else None
        items.append(
            {
                "uniqueid": call.call_key,
                "linkedid": call.call_key,
                "sequence": 0,
                "src": call.caller,
                "dst": call.callee,
                "clid": call.caller,
                "channel": f"SIP/{call.caller}" if call.caller else "",
                "dstchannel": f"SIP/{call.callee}" if call.callee else "",
                "dcontext": "kamailio",
                "accountcode": call.registrar,
                "lastapp": "Dial",
                "start": call.started_at,
                "answer": answer,
                "end": end,
                "duration": int((end - call.started_at).total_seconds()),
                "billsec": int((end - answer).total_seconds()) if answer else 0,
                "sip_code": call.sip_code or 500,
            }
        )
    if finished:
        KamailioCall.objects.filter(pk__in=[call.pk for call in finished]).update(cdr_stored=True)
    return items


def terminal_state_items(*, usernames: set[str], moment: datetime.datetime) -> list[dict]:
    """Each account's SIP terminal (slot 1) from its open calls and live bindings at `moment`:
    an early dialog makes the callee ring; a confirmed one makes both sides busy."""
    if not usernames:
        return []
    wanted = sorted(usernames)
    open_calls = KamailioCall.objects.filter(ended_at__isnull=True).filter(Q(caller__in=wanted) | Q(callee__in=wanted))
    ringing = dict.fromkeys(wanted, 0)
    active = dict.fromkeys(wanted, 0)
    rows = open_calls.values_list("caller", "callee", "ringing_at", "answered_at")
    for caller, callee, ringing_at, answered_at in rows:
        if answered_at is not None:
            for side in {caller, callee} & usernames:
                active[side] += 1
        elif ringing_at is not None and callee in usernames:
            ringing[callee] += 1
    live: dict[str, tuple] = {}
    bindings = (
        RegistrationBinding.objects.filter(username__in=wanted, removed_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("username", "-refreshed_at", "-id")
        .values_list("username", "remote_ip", "remote_port", "transport", "user_agent")
    )
    for username, *binding in bindings:
        live.setdefault(username, binding)
    shown = {
        row[0]: row[1:]
        for row in TerminalState.objects.filter(account__username__in=wanted, terminal=1).values_list(
            "account__username", "registered", "calls_ringing", "calls_active", "address", "model"
        )
    }
    items = []
    for username in wanted:
        binding = live.get(username)
        state = (bool(binding), ringing[username], active[username])
        address = remote_address(*binding[:3]) if binding else ""
        model = binding[3][:255] if binding else ""
        if shown.get(username) == (*state, address, model):
            continue  # a refresh that changes nothing the terminal shows: no new state
        digest = hashlib.sha256(f"{username}\x1f{moment.isoformat()}\x1f{state}".encode()).hexdigest()[:40]
        items.append(
            {
                "event_id": f"kts-{digest}",
                "timestamp": moment,
                "username": username,
                "terminal": 1,
                "kind": "sip",
                "registered": state[0],
                "calls_ringing": min(state[1], 999),
                "calls_active": min(state[2], 999),
                "address": address,
                "model": model,
            }
        )
    return items
