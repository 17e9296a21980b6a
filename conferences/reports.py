"""The conference reports of seed 001, as configuration of the report machine."""

from urllib.parse import urlencode

from registrations.selectors import person_text
from voipadmin.reports import Action, Column, Report
from voipadmin.reports.links import page_url
from voipadmin.reports.units import duration_column, size_column

from .filters import ChatMessageFilter, ConferenceSessionFilter, EndpointFilter, RecordingFilter
from .models import ChatMessage, ConferenceSession, Endpoint, Recording
from .selectors import (
    endpoint_detail_context,
    history_url,
    recording_chat,
    session_detail_context,
    session_url,
    user_link,
    with_account,
)
from .services.cleanup import recordings_delete_batch, sessions_deletable, sessions_delete_batch


def _mode(row: ConferenceSession) -> str:
    return f"{row.mode} (multicast)" if row.multicast else row.mode


call_history = Report(
    slug="conferences",
    title="Call History",
    description="Every conferencing session and video call, running ones included (End stays blank). "
    "Each start of the same conference is a session of its own.",
    model=ConferenceSession,
    filterset=ConferenceSessionFilter,
    queryset=lambda: with_account(ConferenceSession.objects.all(), owner_account="owner"),
    columns=[
        Column("session_id", "Session ID", link=lambda row: session_url(row.pk)),
        Column("name", "Title"),
        Column(
            "conference",
            "Conference",
            link=lambda row: history_url(conference=row.conference_id),
            hint=lambda row: row.conference_id or "",
        ),
        Column(
            "owner",
            link=lambda row: user_link(row.owner, row.owner_account, history_url(owner=row.owner)),
            text=lambda row: person_text(row.owner, row.owner_account_name),
        ),
        Column("started_at", "Start"),
        Column("ended_at", "End", hint=lambda row: "running" if row.ended_at is None else ""),
        duration_column("duration", "Duration"),
        Column("mode", text=_mode),
        Column("participant_count", "Participants"),
    ],
    default_order="-started_at",
    delete_event="delete_conferences",
    deletable=sessions_deletable,
    on_delete_batch=sessions_delete_batch,
    detail_template="conferences/session_detail.html",
    detail_context=session_detail_context,
    menu_group="Conferences",
    menu_order=10,
    empty_help="No conference sessions yet: the server pushes them to /api/v1/conference-events/.",
)


def _chat_user(row: ChatMessage, field: str) -> str | None:
    name = getattr(row, field)
    return user_link(name, getattr(row, f"{field}_account"), page_url("chat:list") + "?" + urlencode({field: name}))


chat_messages = Report(
    slug="chat",
    title="Chat Messages",
    description="Every personal and conference chat message, newest first.",
    model=ChatMessage,
    filterset=ChatMessageFilter,
    queryset=lambda: with_account(ChatMessage.objects.all(), sender_account="sender", recipient_account="recipient"),
    columns=[
        Column("time", "Date"),
        Column(
            "sender",
            link=lambda row: _chat_user(row, "sender"),
            text=lambda row: person_text(row.sender, row.sender_account_name),
        ),
        Column(
            "recipient",
            link=lambda row: _chat_user(row, "recipient"),
            text=lambda row: person_text(row.recipient, row.recipient_account_name) or "conference chat",
        ),
        Column("session", "Session", link=lambda row: session_url(row.session_id) if row.session_id else None),
        Column("text"),
    ],
    default_order="-time",
    delete_event="delete_chat_messages",
    menu_group="Conferences",
    menu_order=20,
)


recordings = Report(
    slug="recordings",
    title="Conference Recordings",
    description="Server-side recordings: play, download or delete. Point-to-point calls are named (no title).",
    model=Recording,
    filterset=RecordingFilter,
    columns=[
        Column("created_at", "Date"),
        Column("session", "Session ID", link=lambda row: session_url(row.session_id), text=lambda row: row.session_id),
        Column(
            "session__name",
            "Title",
            # the session's own page: the list's session_id filter is a "contains" match (S1 finds S10)
            link=lambda row: session_url(row.session_id),
            hint=lambda row: "open the session",
        ),
        Column(
            # sorted and exported by what the cell shows (the conference's title), not its row id
            "session__conference__title",
            "Conference",
            text=lambda row: str(row.session.conference or ""),
            # the conference's card in Call History: every session of it (an exact match on the ID)
            link=lambda row: history_url(conference=row.session.conference_id),
            hint=lambda row: row.session.conference_id or "",
        ),
        Column("original_name", "Name"),
        size_column("size", "Size"),
        duration_column("duration", "Duration"),
        Column(
            "id",
            "Playback",
            sortable=False,
            export=False,
            text=lambda row: "▶ Play",
            link=lambda row: page_url("recordings:detail", row.pk),
        ),
        Column(
            "file",
            "Download",
            sortable=False,
            export=False,
            text=lambda row: "Download",
            link=lambda row: page_url("recording-download", row.pk),
        ),
        Column(
            "id",
            "Delete",
            sortable=False,
            export=False,
            permission="conferences.delete_recording",
            text=lambda row: "Delete…",
            # a page that names the recording and asks before anything goes
            link=lambda row: page_url("recording-delete", row.pk),
        ),
    ],
    default_order="-created_at",
    delete_event="delete_video_recording",
    on_delete_batch=recordings_delete_batch,
    detail_template="conferences/recording_detail.html",
    detail_context=lambda row: {"chat": recording_chat(recording=row)},
    menu_group="Conferences",
    menu_order=30,
)


endpoints = Report(
    slug="endpoints",
    title="Endpoints",
    description="Client applications that connected: who, which application and version, OS, CPU, address. "
    "The quick search matches every field; several words must all match (e.g. webclient guest).",
    model=Endpoint,
    filterset=EndpointFilter,
    queryset=lambda: with_account(Endpoint.objects.all(), logged_account="logged_user"),
    columns=[
        Column("endpoint_id", "Endpoint", link=lambda row: page_url("endpoints:detail", row.pk)),
        Column(
            "logged_user",
            link=lambda row: user_link(row.logged_user, row.logged_account, history_url(participant=row.logged_user)),
            text=lambda row: person_text(row.logged_user, row.logged_account_name),
        ),
        Column("username", "Last user"),
        Column("application"),
        Column("version"),
        Column("os", "OS"),
        Column("cpu", "CPU"),
        Column("ip"),
        Column("last_conference"),
        Column("last_seen"),
    ],
    default_order="-last_seen",
    delete_event="delete_connections",
    detail_template="conferences/endpoint_detail.html",
    detail_context=endpoint_detail_context,
    extra_actions=[Action("Delete old endpoints…", "endpoints-cleanup", permission="conferences.delete_endpoint")],
    menu_group="Conferences",
    menu_order=40,
)
