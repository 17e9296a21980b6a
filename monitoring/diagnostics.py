"""A user's diagnostics (seeds 003/004): the last two days of SIP events, calls, registrations and
terminal changes in one timeline, newest first, with as much detail as the configured level.

Levels, like the seed's "package dump details": `none` shows time, type and a summary; `headers`
adds addresses, contact, user agent and dispositions; `full` adds the details text, every CDR
field and the pushed payload. Each source is read along its own per-user index, bounded by time
and by MONITORING_DIAGNOSTICS_ROWS, so a busy user costs the same as a quiet one.
"""

import datetime
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cdr.models import Cdr
from registrations.models import Account, RegistrationBinding
from sip_sessions.models import SipEvent, SipEventType

from .models import TerminalKind, TerminalStateEvent


@dataclass
class Entry:
    time: datetime.datetime
    source: str  # sip, call, registration, terminal
    type: str
    summary: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    full: list[tuple[str, str]] = field(default_factory=list)
    link: str = ""


@dataclass
class Timeline:
    entries: list[Entry]
    since: datetime.datetime
    until: datetime.datetime
    level: str
    # Sources that had more entries in the window than were read (their oldest are left out).
    truncated: list[str]


def diagnostics_timeline(
    *, account: Account, level: str, now: datetime.datetime | None = None, hours: int | None = None
) -> Timeline:
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=hours or settings.MONITORING_DIAGNOSTICS_HOURS)
    limit = settings.MONITORING_DIAGNOSTICS_ROWS
    sources = {
        "SIP events": _sip_entries(account, since, now, limit),
        "calls": _call_entries(account, since, now, limit),
        "registrations": _binding_entries(account, since, now, limit),
        "terminal changes": _terminal_entries(account, since, now, limit),
    }
    truncated = [name for name, (_entries, full) in sources.items() if full]
    entries = [entry for entries, _full in sources.values() for entry in entries]
    entries.sort(key=lambda entry: entry.time, reverse=True)
    if level != "full":
        for entry in entries:
            entry.full = []
            if level == "none":
                entry.headers = []
    return Timeline(entries=entries, since=since, until=now, level=level, truncated=truncated)


def _sip_entries(account: Account, since, now, limit: int) -> tuple[list[Entry], bool]:
    """Along (username, time), this window's partitions only: the account's events, its username
    given by the server or found by reconciliation."""
    rows = list(
        SipEvent.objects.filter(username=account.username, time__gte=since, time__lte=now).order_by("-time", "-id")[
            :limit
        ]
    )
    rows, more = rows[:limit], len(rows) > limit
    labels = dict(SipEventType.choices)
    entries = []
    for event in rows:
        meaning = labels.get(event.event, event.event).partition(": ")[2] or event.event
        entries.append(
            Entry(
                time=event.time,
                source="sip",
                type=event.event,
                summary=meaning,
                headers=[
                    ("Remote address", event.remote_address or "—"),
                    ("Account by", "reconciliation" if event.reconciled else "the server"),
                ],
                full=[("Details", event.details or "—"), ("Source event", event.event_id)],
                link=reverse("sip-sessions:detail", args=[event.pk]),
            )
        )
    return entries, more


def _call_entries(account: Account, since, now, limit: int) -> tuple[list[Entry], bool]:
    """Along (caller, start) and (callee, start): the account's calls of the window."""
    window = Q(start__gte=since, start__lte=now)
    newest = ("-start", "-id")
    # Two index reads merged here rather than a UNION of sliced queries, which SQLite (the embedded
    # default) refuses; a call to oneself comes from both and is kept once.
    as_caller = Cdr.objects.filter(window, caller=account).order_by(*newest)[: limit + 1]
    as_callee = Cdr.objects.filter(window, callee=account).order_by(*newest)[: limit + 1]
    merged = {cdr.pk: cdr for cdr in [*as_caller, *as_callee]}
    rows = sorted(merged.values(), key=lambda cdr: (cdr.start, cdr.pk), reverse=True)
    rows, more = rows[:limit], len(rows) > limit
    entries = []
    for cdr in rows:
        outgoing = cdr.caller_id == account.pk
        summary = f"to {cdr.dst or '?'}" if outgoing else f"from {cdr.src or '?'}"
        talk = f", {cdr.billsec} s talk" if cdr.billsec else ""
        entries.append(
            Entry(
                time=cdr.start,
                source="call",
                type="Outgoing call" if outgoing else "Incoming call",
                summary=f"{summary}, {cdr.duration} s{talk}",
                headers=[
                    ("Disposition", f"{cdr.disposition} ({cdr.disposition_source})"),
                    ("Caller ID", cdr.clid or "—"),
                    ("Channels", f"{cdr.channel or '—'} → {cdr.dstchannel or '—'}"),
                ],
                full=[(str(f.verbose_name), _text(getattr(cdr, f.attname))) for f in Cdr._meta.concrete_fields],
                link=reverse("cdr:detail", args=[cdr.pk]),
            )
        )
    return entries, more


def _binding_entries(account: Account, since, now, limit: int) -> tuple[list[Entry], bool]:
    """Along (account, contact, registered_at): the bindings opened or ended in the window, one
    entry for each opening and each end (unregister, moved, expired)."""
    rows = list(
        RegistrationBinding.objects.filter(account=account)
        .filter(Q(registered_at__gte=since) | Q(expires_at__gte=since))
        .filter(registered_at__lte=now)
        .order_by("-registered_at", "-id")[: limit + 1]
    )
    rows, more = rows[:limit], len(rows) > limit
    entries = []
    for binding in rows:
        headers = [
            ("Contact", binding.contact),
            ("Remote address", binding.remote_address),
            ("User agent", binding.user_agent or "—"),
        ]
        link = reverse("registration-history:detail", args=[binding.pk])
        full = [
            ("Source event", binding.event_id),
            ("Latest event", binding.last_event_id or "—"),
            ("Refreshed", _text(binding.refreshed_at)),
            ("Expires", _text(binding.expires_at)),
        ]
        if since <= binding.registered_at:
            opened = f"{binding.contact} registered"
            entries.append(Entry(binding.registered_at, "registration", "Registered", opened, headers, full, link))
        end = binding.ends_at
        if since <= end <= now:
            how = binding.removed_reason or "expired"
            text = {"unregister": "unregistered", "moved": "moved to another address"}.get(how, "expired")
            ended = f"{binding.contact} {text}"
            entries.append(Entry(end, "registration", f"Binding ended ({how})", ended, headers, full, link))
    return entries, more


def _terminal_entries(account: Account, since, now, limit: int) -> tuple[list[Entry], bool]:
    """Along (account, timestamp): every terminal state pushed in the window."""
    rows = list(
        TerminalStateEvent.objects.filter(account=account, timestamp__gte=since, timestamp__lte=now).order_by(
            "-timestamp", "-id"
        )[: limit + 1]
    )
    rows, more = rows[:limit], len(rows) > limit
    kinds = dict(TerminalKind.choices)
    entries = []
    for change in rows:
        calls = []
        if change.calls_active:
            calls.append(f"{change.calls_active} active")
        if change.calls_ringing:
            calls.append(f"{change.calls_ringing} ringing")
        state = "registered" if change.registered else "not registered"
        entries.append(
            Entry(
                time=change.timestamp,
                source="terminal",
                type=f"Terminal {change.terminal}",
                summary=f"{kinds.get(change.kind, change.kind)}: {state}"
                + (f", calls {', '.join(calls)}" if calls else ""),
                headers=[("Address", change.address or "—"), ("Model", change.model or "—")],
                full=[
                    ("Payload", _payload(change)),
                    ("Received", _text(change.received_at)),
                ],
            )
        )
    return entries, more


def _payload(change: TerminalStateEvent) -> str:
    """The item as it was pushed (the DESIGN.md field names)."""
    return json.dumps(
        {
            "event_id": change.event_id,
            "timestamp": change.timestamp.isoformat(),
            "terminal": change.terminal,
            "kind": change.kind,
            "registered": change.registered,
            "calls_ringing": change.calls_ringing,
            "calls_active": change.calls_active,
            "address": change.address,
            "model": change.model,
        }
    )


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(" ", "seconds")
    return str(value)
