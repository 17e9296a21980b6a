"""Reads for the conference pages: a session's detail, profile links, an endpoint's connections."""

import datetime
import statistics
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import F, OuterRef, QuerySet, Subquery

from registrations.selectors import (
    account_ids,
    account_name_expression,
    account_page_url,
    account_people,
    person_text,
)
from voipadmin.reports.links import page_url

from .models import ChatMessage, ConferenceSession, Invitation, Participation, Recording

PARTICIPANTS_SHOWN = 1000
CHAT_SHOWN = 200
QUALITY_FIELDS = (
    ("bitrate_kbps", "Bitrate, kbit/s"),
    ("packet_loss_pct", "Packet loss, %"),
    ("jitter_ms", "Jitter, ms"),
    ("rtt_ms", "Round trip, ms"),
    ("fps", "Frame rate"),
)


def with_account(queryset: QuerySet, **fields: str) -> QuerySet:
    """Annotate `<alias>` with the id of the account whose username is in `field`, and
    `<alias>_name` with its name (index probes in the page's one query, no query per row):
    `with_account(qs, owner_account="owner")`."""
    from registrations.models import Account

    annotations = {}
    for alias, field in fields.items():
        account = Account.objects.filter(username=OuterRef(field))
        annotations[alias] = Subquery(account.values("pk")[:1])
        annotations[f"{alias}_name"] = Subquery(account.annotate(person=account_name_expression()).values("person")[:1])
    return queryset.annotate(**annotations)


def user_link(username: str | None, account_id: int | None, history: str) -> str | None:
    """A username links to the profile when there is one, else to the user's filtered history."""
    if not username:
        return None
    return account_page_url(account_id) or history


def history_url(**query: str) -> str:
    return page_url("conferences:list") + "?" + urlencode(query)


def session_url(session_id: str) -> str:
    return page_url("conferences:detail", session_id)


def _quality(rows: list[Participation], session: ConferenceSession) -> list[dict]:
    """Per measure: the session's own figure if the server sent one, else the connections' mean."""
    out = []
    for key, label in QUALITY_FIELDS:
        values = [row.media[key] for row in rows if isinstance(row.media.get(key), int | float)]
        overall = session.media.get(key)
        if overall is None and not values:
            continue
        out.append(
            {
                "label": label,
                "session": overall,
                "mean": round(statistics.fmean(values), 2) if values else None,
                "worst": round(max(values) if key != "bitrate_kbps" and key != "fps" else min(values), 2)
                if values
                else None,
                "reported": len(values),
            }
        )
    return out


def session_detail_context(session: ConferenceSession) -> dict:
    participations = list(
        session.participations.select_related("endpoint")
        .prefetch_related("name_changes")
        .order_by(F("joined_at").asc(nulls_last=True), "pk")[: PARTICIPANTS_SHOWN + 1]
    )
    invitations = list(session.invitations.exclude(inviter_kind=Invitation.InviterKind.NONE).order_by("time", "pk"))
    chat = list(
        ChatMessage.objects.filter(session=session, recipient__isnull=True).order_by("-time", "-pk")[: CHAT_SHOWN + 1]
    )
    names = (
        [session.owner]
        + [row.participant for row in participations if not row.guest]
        + [invite.invitee for invite in invitations]
        + [invite.inviter for invite in invitations if invite.inviter_kind == Invitation.InviterKind.USER]
        + [message.sender for message in chat]
    )
    people = account_people(names)
    ids = {name: pk for name, (pk, _) in people.items()}
    links = {name: user_link(name, ids.get(name), history_url(participant=name)) for name in set(names) if name}

    def shown(name: str | None) -> str:
        return person_text(name, people.get(name, (None, ""))[1]) if name else ""

    rows = participations[:PARTICIPANTS_SHOWN]
    for row in rows:
        row.profile_url = None if row.guest else links.get(row.participant)
        # the name the participant joined with, else their account's name
        row.person = row.display_name or ("" if row.guest else people.get(row.participant, (None, ""))[1])
    for invite in invitations:
        invite.invitee_url = links.get(invite.invitee)
        invite.invitee_text = shown(invite.invitee)
        invite.inviter_url = links.get(invite.inviter) if invite.inviter_kind == Invitation.InviterKind.USER else None
        invite.inviter_text = (
            shown(invite.inviter) if invite.inviter_kind == Invitation.InviterKind.USER else invite.inviter
        )
    for message in chat:
        message.sender_url = links.get(message.sender)
        message.sender_text = shown(message.sender)
    return {
        "session": session,
        "participations": rows,
        "participations_more": len(participations) > PARTICIPANTS_SHOWN,
        "invitations": invitations,
        "files": list(session.files.order_by("created_at", "pk")),
        "recordings": list(session.recordings.order_by("created_at", "pk")),
        "chat": list(reversed(chat[:CHAT_SHOWN])),
        "chat_more": len(chat) > CHAT_SHOWN,
        "chat_url": page_url("chat:list") + "?" + urlencode({"session": session.pk}),
        "quality": _quality(rows, session),
        "owner_url": user_link(session.owner, ids.get(session.owner), history_url(owner=session.owner)),
        "conference_url": history_url(conference=session.conference_id) if session.conference_id else None,
    }


def endpoint_detail_context(endpoint) -> dict:
    connections = list(
        Participation.objects.filter(endpoint=endpoint)
        .select_related("session")
        .order_by(F("joined_at").desc(nulls_last=True), "-pk")[:20]
    )
    ids = account_ids([endpoint.logged_user, endpoint.username])
    return {
        "connections": connections,
        "logged_user_url": account_page_url(ids.get(endpoint.logged_user)),
        "user_url": account_page_url(ids.get(endpoint.username)),
    }


RECORDING_CHAT_SHOWN = 2000


@dataclass(frozen=True)
class ChatLine:
    """A conference chat message placed on a recording's time line (seconds from its start)."""

    pk: int
    time: datetime.datetime
    sender: str
    text: str
    offset: float


def recording_chat(*, recording: Recording) -> list[ChatLine] | None:
    """The session's conference chat beside its recording, for playback with chat synchronisation
    (seed 001, group conferences only): None for a point-to-point call. Messages are placed by
    their time from the recording's start (its own, else the session's); one before the start
    sits at 0, one after the end at the end."""
    session = recording.session
    if not session.is_group:
        return None
    start = recording.started_at or session.started_at
    rows = (
        ChatMessage.objects.filter(session=session, recipient__isnull=True)
        .order_by("time", "id")
        .values_list("pk", "time", "sender", "text")[:RECORDING_CHAT_SHOWN]
    )
    end = recording.duration
    lines = []
    for pk, time, sender, text in rows:
        offset = max(0.0, (time - start).total_seconds())
        if end is not None:
            offset = min(offset, end)
        lines.append(ChatLine(pk=pk, time=time, sender=sender, text=text, offset=round(offset, 3)))
    return lines
