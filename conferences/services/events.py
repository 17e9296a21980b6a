"""Applying pushed conference events: each event once, in time order, the batch in one transaction.

The raw log's unique event_id decides what is new (INSERT ... ON CONFLICT DO NOTHING RETURNING),
so a repeated or concurrent delivery applies nothing twice. Events may come before the session's
start (batches are cut anywhere): the session is then created from what is known and completed
when `session_started` arrives. Rows are read once per batch, locked in key order, and written
back with bulk statements.
"""

import ipaddress
import re
from collections.abc import Iterable

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from voipadmin.bulk import insert_new, insert_new_returning

from ..models import (
    NO_TITLE,
    ChatMessage,
    Conference,
    ConferenceEvent,
    ConferenceSession,
    Endpoint,
    Invitation,
    Participation,
)
from .connections import connections_apply

Type = ConferenceEvent.Type
CONNECTION_TYPES = (Type.PARTICIPANT_JOINED, Type.PARTICIPANT_LEFT)
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$", re.I)


def conference_events_store(*, items: list[dict]) -> int:
    """Store a validated batch; returns how many events were new (and so applied)."""
    raw = [
        ConferenceEvent(
            event_id=item["event_id"],
            timestamp=item["timestamp"],
            type=item["type"],
            session_ref=item.get("session_id") or "",
            payload={key: value for key, value in item.items() if value is not None},
        )
        for item in items
    ]
    new_ids = {row[0] for row in insert_new_returning(ConferenceEvent, raw, returning=("event_id",))}
    fresh: list[dict] = []
    for position, item in enumerate(items):
        if item["event_id"] in new_ids:
            new_ids.discard(item["event_id"])  # a repeat inside the batch is applied once
            fresh.append({**item, "position": position})
    if not fresh:
        return 0
    fresh.sort(key=lambda item: (item["timestamp"], item["position"]))
    sessions = _apply_sessions(fresh)
    endpoints = _apply_endpoints(fresh)
    connections_apply(fresh, sessions, endpoints)
    _store_invitations(fresh)
    _store_chat(fresh)
    sessions_refresh_counts(session_ids=sessions.keys())
    _note_conference_end(fresh, sessions)
    return len(fresh)


def _first_times(fresh: list[dict], key: str, types: Iterable[str] | None = None) -> dict[str, object]:
    first: dict[str, object] = {}
    for item in fresh:
        value = item.get(key)
        if value and (types is None or item["type"] in types):
            first.setdefault(value, item["timestamp"])
    return first


def _apply_sessions(fresh: list[dict]) -> dict[str, ConferenceSession]:
    first = _first_times(fresh, "session_id")
    if not first:
        return {}
    insert_new(ConferenceSession, [ConferenceSession(session_id=key, started_at=at) for key, at in first.items()])
    conferences = {}
    for item in fresh:
        if item["type"] == Type.SESSION_STARTED and item.get("conference_id"):
            conferences[item["conference_id"]] = item
    if conferences:
        insert_new(
            Conference,
            [Conference(conference_id=key, first_seen=item["timestamp"]) for key, item in conferences.items()],
        )
        rows = list(Conference.objects.select_for_update().filter(pk__in=conferences).order_by("pk"))
        for conference in rows:
            conference.title = conferences[conference.pk].get("title") or conference.title
            conference.owner = conferences[conference.pk].get("owner") or conference.owner
        Conference.objects.bulk_update(rows, ["title", "owner"])
    sessions = {
        session.pk: session
        for session in ConferenceSession.objects.select_for_update().filter(pk__in=first).order_by("pk")
    }
    for item in fresh:
        key = item.get("session_id")
        if not key:
            continue
        session, at = sessions[key], item["timestamp"]
        if item["type"] == Type.SESSION_STARTED:
            session.conference_id = item.get("conference_id") or None
            session.title = item.get("title") or ""
            session.owner = item.get("owner") or ""
            session.mode = item.get("mode") or session.mode
            session.multicast = item.get("multicast", session.multicast)
            session.started_at = at
        else:
            session.started_at = min(session.started_at, at)
        if item["type"] == Type.SESSION_ENDED:
            session.ended_at = max(session.ended_at or at, at)
            session.media = item.get("media") or session.media
    ConferenceSession.objects.bulk_update(
        list(sessions.values()),
        ["conference", "title", "owner", "mode", "multicast", "started_at", "ended_at", "media"],
    )
    return sessions


ENDPOINT_FIELDS = ("application", "version", "os", "cpu", "ip")


def _apply_endpoints(fresh: list[dict]) -> dict[str, Endpoint]:
    """Connection properties: the newest event wins a field, an older one only fills a gap."""
    first = _first_times(fresh, "endpoint_id", (Type.ENDPOINT_INFO, *CONNECTION_TYPES))
    if not first:
        return {}
    insert_new(Endpoint, [Endpoint(endpoint_id=key, first_seen=at, last_seen=at) for key, at in first.items()])
    endpoints = {
        endpoint.endpoint_id: endpoint
        for endpoint in Endpoint.objects.select_for_update().filter(endpoint_id__in=first).order_by("endpoint_id")
    }
    for item in fresh:
        if item["type"] not in (Type.ENDPOINT_INFO, *CONNECTION_TYPES):
            continue
        endpoint, at = endpoints[item["endpoint_id"]], item["timestamp"]
        newest = at >= endpoint.last_seen
        endpoint.first_seen = min(endpoint.first_seen, at)
        endpoint.last_seen = max(endpoint.last_seen, at)
        if item["type"] == Type.ENDPOINT_INFO:
            for name in ENDPOINT_FIELDS:
                if item.get(name) and (newest or not getattr(endpoint, name)):
                    setattr(endpoint, name, item[name])
            if item.get("username") and newest:
                endpoint.username = endpoint.logged_user = item["username"]
            for name in ("network_test", "system_info"):
                if item.get(name) is not None and (newest or not getattr(endpoint, name)):
                    setattr(endpoint, name, item[name])
        elif newest and item["type"] == Type.PARTICIPANT_JOINED:
            endpoint.username = endpoint.logged_user = item["participant"]
        elif newest and item["guest"] and endpoint.logged_user == item["participant"]:
            endpoint.logged_user = ""  # a guest who left is no longer on that application
    Endpoint.objects.bulk_update(
        list(endpoints.values()),
        [*ENDPOINT_FIELDS, "username", "logged_user", "first_seen", "last_seen", "network_test", "system_info"],
    )
    return endpoints


def inviter_kind(inviter: str | None, declared: str | None, accounts: set[str]) -> str:
    """Server address, user or nobody: declared, else an IP or host name that is not an account."""
    if not inviter:
        return Invitation.InviterKind.NONE
    if declared:
        return declared
    if "@" in inviter or inviter in accounts:
        return Invitation.InviterKind.USER
    host = inviter.strip("[]")
    try:
        ipaddress.ip_address(host.rsplit(":", 1)[0] if host.count(":") == 1 else host)
        return Invitation.InviterKind.SERVER
    except ValueError:
        pass
    return Invitation.InviterKind.SERVER if HOSTNAME.match(inviter) else Invitation.InviterKind.USER


def _store_invitations(fresh: list[dict]) -> None:
    items = [item for item in fresh if item["type"] == Type.INVITATION]
    if not items:
        return
    from registrations.models import Account

    names = {item["inviter"] for item in items if item.get("inviter")}
    accounts = set(Account.objects.filter(username__in=names).values_list("username", flat=True))
    insert_new(
        Invitation,
        [
            Invitation(
                event_id=item["event_id"],
                session_id=item["session_id"],
                time=item["timestamp"],
                inviter=item.get("inviter") or "",
                inviter_kind=inviter_kind(item.get("inviter"), item.get("inviter_type"), accounts),
                invitee=item["invitee"],
                accepted=item.get("accepted"),
            )
            for item in items
        ],
    )


def _store_chat(fresh: list[dict]) -> None:
    insert_new(
        ChatMessage,
        [
            ChatMessage(
                message_id=item["message_id"],
                session_id=item.get("session_id") or None,
                sender=item["sender"],
                recipient=item.get("recipient") or None,
                text=item["text"],
                time=item["timestamp"],
            )
            for item in fresh
            if item["type"] == Type.CHAT_MESSAGE
        ],
    )


def sessions_refresh_counts(*, session_ids: Iterable[str]) -> int:
    """Different participants and connection events per session, recomputed in one UPDATE."""
    keys = list(session_ids)
    if not keys:
        return 0
    per_session = Participation.objects.filter(session=OuterRef("pk")).order_by().values("session")
    return ConferenceSession.objects.filter(pk__in=keys).update(
        participant_count=Coalesce(
            Subquery(per_session.annotate(n=Count("identity", distinct=True)).values("n")[:1]), 0
        ),
        connection_count=Coalesce(Subquery(per_session.annotate(n=Count("pk")).values("n")[:1]), 0),
    )


def _note_conference_end(fresh: list[dict], sessions: dict[str, ConferenceSession]) -> None:
    """ "Conference end" updates the endpoints' Last Conf Name (seed 001): the session that ended
    last wins, whichever order the ends arrive in (one batch or an older end pushed late). A guest
    still shown as the endpoint's logged user leaves with the session's end (seed 001: an empty
    Logged User means the user left), unless the endpoint was seen again after that end."""
    ended = sorted(
        (sessions[key] for key in {item["session_id"] for item in fresh if item["type"] == Type.SESSION_ENDED}),
        key=lambda session: (session.ended_at, session.pk),
    )
    for session in ended:
        used = Participation.objects.filter(session_id=session.pk, endpoint__isnull=False)
        Endpoint.objects.filter(pk__in=used.values("endpoint")).filter(
            Q(last_conference_at__isnull=True) | Q(last_conference_at__lte=session.ended_at)
        ).update(last_conference=(session.title or NO_TITLE)[:255], last_conference_at=session.ended_at)
        guests = used.filter(guest=True, endpoint__logged_user=F("participant"))
        Endpoint.objects.filter(pk__in=guests.values("endpoint"), last_seen__lte=session.ended_at).update(
            logged_user=""
        )
