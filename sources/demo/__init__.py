"""The demo source: the seeded company's VoIP server kept at work while `make run` serves it.

Each tick plays the time since the previous one (at most MAX_SPAN): phones refresh their
registrations and a few are left to expire, offline phones come back, calls ring, are answered or
missed and hang up (a CDR each, CONNECT/DISCONNECT at the callee's address), a scanner fails to
authenticate, conferences start and end. Everything goes through the ingest services with the API's
own validation (`voipadmin.api.ingest.ingest_batch`), as a real source's items do. The tick's
position and the calls in progress are the source's cursor, saved in the tick's transaction.

The package: `tick` (one tick's items), `phones` (registrations, terminals, calls, a scanner),
`meetings` (conferences). Only `make run` turns it on (DEMO, with DEBUG only:
voipadmin/settings/demo.py); docs/demo.md.
"""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from cdr.serializers import CdrIngestSerializer
from cdr.services.ingest import cdrs_ingest
from conferences.serializers import ConferenceEventSerializer
from conferences.services.events import conference_events_store
from monitoring.serializers import TerminalStateIngestSerializer
from monitoring.services import terminal_states_store
from registrations.serializers import RegistrationIngestSerializer
from registrations.services import registrations_store
from sip_sessions.serializers import SipEventIngestSerializer
from sip_sessions.services import sip_events_store
from voipadmin.api.ingest import ingest_batch

from ..cursors import cursor_advance, cursor_lock
from .meetings import play_conferences
from .phones import leaving, play_registrations, play_scanner, play_terminals_and_calls
from .tick import MAX_SPAN, Tick, iso, online_at

SOURCE = "demo"


def demo_enabled() -> bool:
    """On only where the settings allow it: DEMO with DEBUG (never in production settings)."""
    return bool(getattr(settings, "DEMO_SOURCE", False)) and settings.DEBUG


@dataclass
class TickSummary:
    registrations: int = 0
    sip_events: int = 0
    cdrs: int = 0
    terminal_states: int = 0
    conference_events: int = 0

    @property
    def text(self) -> str:
        return (
            f"{self.registrations} registrations, {self.sip_events} SIP events, {self.cdrs} CDRs, "
            f"{self.terminal_states} terminal states, {self.conference_events} conference events"
        )


def demo_tick(*, now: datetime.datetime) -> TickSummary:
    """Play the time since the previous tick (at most MAX_SPAN) up to `now`, in one transaction."""
    with transaction.atomic():
        cursor = cursor_lock(source=SOURCE)
        position = cursor.position or {}
        last = datetime.datetime.fromisoformat(position["at"]) if position.get("at") else now - MAX_SPAN / 10
        if now <= last:
            return TickSummary()
        tick = Tick(
            now=now,
            last=max(last, now - MAX_SPAN),
            rng=random.Random(f"demo-{now.isoformat()}"),  # invented traffic, repeatable for a given tick
            calls=dict(position.get("calls", {})),
            channels=position.get("channels", 0),
        )
        online_before = online_at(tick.last)
        play_registrations(tick)
        summary = TickSummary()
        summary.registrations = _feed(RegistrationIngestSerializer, registrations_store, tick.registrations)
        online = online_at(now)
        play_terminals_and_calls(tick, online_before, online, leaving(tick, online))
        play_scanner(tick)
        play_conferences(tick, online)
        summary.terminal_states = _feed(TerminalStateIngestSerializer, terminal_states_store, tick.terminals)
        summary.cdrs = _feed(CdrIngestSerializer, cdrs_ingest, tick.cdrs)
        summary.sip_events = _feed(SipEventIngestSerializer, sip_events_store, tick.sip)
        summary.conference_events = _feed(ConferenceEventSerializer, conference_events_store, tick.conference)
        ticks = position.get("ticks", 0) + 1
        cursor_advance(
            cursor=cursor, position={"at": iso(now), "ticks": ticks, "calls": tick.calls, "channels": tick.channels}
        )
    return summary


def _feed(serializer, store, items: list[dict]) -> int:
    return ingest_batch(serializer, store, items).created if items else 0
