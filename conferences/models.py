"""Conference sessions and what happened in them (seed 001: Call History, Session information,
Connection properties, Chat Messages, Conference Recordings, Endpoints).

A session's children go with it inside the database (Django 6.1's DB_CASCADE / DB_SET_NULL), so
a batch of sessions is one DELETE; only recordings hold a session back (the FK has no ON DELETE
action, so PostgreSQL refuses to drop a session that still has one).
"""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Upper
from django.utils import timezone

NO_TITLE = "(no title)"


class Conference(models.Model):
    """A server-side conference (virtual room, scheduled event); each start is a new session."""

    conference_id = models.CharField("conference ID", primary_key=True, max_length=128)
    title = models.CharField(max_length=255, blank=True)
    owner = models.CharField(max_length=150, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["title", "conference_id"], name="conference_title_idx")]

    def __str__(self) -> str:
        return self.title or self.conference_id


class ConferenceSession(models.Model):
    """One conferencing session or point-to-point call; `ended_at` is empty while it runs."""

    session_id = models.CharField("session ID", primary_key=True, max_length=128)
    conference = models.ForeignKey(
        Conference,
        null=True,
        blank=True,
        on_delete=models.DB_SET_NULL,
        related_name="sessions",
        help_text="The parent server-side conference; empty for one created ad hoc in a client.",
    )
    title = models.CharField("title as sent", max_length=255, blank=True)
    # What the reports show and sort by: point-to-point calls carry no title (seed 001).
    name = models.GeneratedField(
        expression=Case(When(title="", then=Value(NO_TITLE)), default=F("title")),
        output_field=models.CharField(max_length=255),
        db_persist=True,
        verbose_name="title",
    )
    owner = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField("start")
    ended_at = models.DateTimeField("end", null=True, blank=True)
    duration = models.GeneratedField(
        expression=F("ended_at") - F("started_at"),
        output_field=models.DurationField(),
        db_persist=True,
    )
    mode = models.CharField(max_length=64, blank=True)
    multicast = models.BooleanField("UDP multicast", default=False)
    participant_count = models.PositiveIntegerField(
        "participants", default=0, help_text="Different participants; a guest counts once per application."
    )
    connection_count = models.PositiveIntegerField("connections", default=0, help_text="Connection events.")
    media = models.JSONField("media quality", default=dict, blank=True)

    class Meta:
        verbose_name = "conference session"
        # Each sortable column has (column, session_id) for its keyset pages. The owner filter (an
        # exact, case-insensitive match: `UPPER(owner) = UPPER(%s)`) has its own in the default order,
        # so a person's sessions, newest first, are one index range. The "contains" filters (mode,
        # title) cannot be an index range; migration 0004 gives the planner statistics of what they
        # compare (`UPPER(mode)`), so it walks the order's index when a value is common.
        indexes = [
            models.Index(fields=["started_at", "session_id"], name="session_start_idx"),
            models.Index(fields=["ended_at", "session_id"], name="session_end_idx"),
            models.Index(fields=["name", "session_id"], name="session_name_idx"),
            models.Index(fields=["owner", "session_id"], name="session_owner_idx"),
            models.Index(Upper("owner"), "started_at", "session_id", name="session_owner_start_idx"),
            models.Index(fields=["conference", "session_id"], name="session_conference_idx"),
            models.Index(fields=["duration", "session_id"], name="session_duration_idx"),
            models.Index(fields=["mode", "session_id"], name="session_mode_idx"),
            models.Index(fields=["participant_count", "session_id"], name="session_participants_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.session_id})"

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def is_group(self) -> bool:
        """A group conference (a title or a parent conference); a point-to-point call has neither."""
        return bool(self.title or self.conference_id)


class Endpoint(models.Model):
    """A client application instance (connection properties); updated by the events of seed 001's
    "Events that update device information" table."""

    endpoint_id = models.CharField("endpoint", max_length=255, unique=True)
    username = models.CharField("user", max_length=150, blank=True, help_text="The last user seen on it.")
    logged_user = models.CharField(
        max_length=150, blank=True, help_text="Empty once the user has left (a guest closing the page)."
    )
    application = models.CharField(max_length=128, blank=True)
    version = models.CharField(max_length=64, blank=True)
    os = models.CharField("OS", max_length=128, blank=True)
    cpu = models.CharField("CPU", max_length=128, blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    last_conference = models.CharField("last conf name", max_length=255, blank=True)
    last_conference_at = models.DateTimeField(
        "last conf end", null=True, blank=True, help_text="When the session named in Last Conf Name ended."
    )
    network_test = models.JSONField(default=dict, blank=True)
    system_info = models.JSONField("system information", default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["last_seen", "id"], name="endpoint_last_seen_idx"),
            models.Index(fields=["first_seen", "id"], name="endpoint_first_seen_idx"),
            models.Index(fields=["username", "id"], name="endpoint_user_idx"),
            models.Index(fields=["logged_user", "id"], name="endpoint_logged_idx"),
            models.Index(fields=["application", "id"], name="endpoint_app_idx"),
            models.Index(fields=["version", "id"], name="endpoint_version_idx"),
            models.Index(fields=["os", "id"], name="endpoint_os_idx"),
            models.Index(fields=["ip", "id"], name="endpoint_ip_idx"),
        ]

    def __str__(self) -> str:
        return self.endpoint_id


class Participation(models.Model):
    """One connection of a participant to a session (a rejoin is another row)."""

    session = models.ForeignKey(ConferenceSession, on_delete=models.DB_CASCADE, related_name="participations")
    participant = models.CharField(max_length=150)
    display_name = models.CharField(max_length=255, blank=True)
    guest = models.BooleanField(default=False)
    # Who this is when counting different participants: the user, or a guest's application.
    identity = models.CharField(max_length=300)
    endpoint = models.ForeignKey(Endpoint, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="+")
    endpoint_ref = models.CharField("endpoint ID", max_length=255, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    join_event_id = models.CharField(max_length=128, blank=True)
    leave_event_id = models.CharField(max_length=128, blank=True)
    media = models.JSONField("media quality", default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["session", "identity", "joined_at"], name="participation_session_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(joined_at__isnull=True) | Q(left_at__isnull=True) | Q(left_at__gte=F("joined_at")),
                name="participation_leave_after_join",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.session_id}"


class DisplayNameChange(models.Model):
    """A participant coming back under another display name (shown beside the reconnection)."""

    session = models.ForeignKey(ConferenceSession, on_delete=models.DB_CASCADE, related_name="name_changes")
    participation = models.ForeignKey(Participation, on_delete=models.DB_CASCADE, related_name="name_changes")
    old_name = models.CharField(max_length=255, blank=True)
    new_name = models.CharField(max_length=255)
    time = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.old_name} -> {self.new_name}"


class Invitation(models.Model):
    """An invitation or call into the session, and its answer."""

    class InviterKind(models.TextChoices):
        SERVER = "server", "server (called at the conference start)"
        USER = "user", "user (invited during the conference)"
        NONE = "none", "nobody (joined on their own)"

    event_id = models.CharField(max_length=128, unique=True)
    session = models.ForeignKey(ConferenceSession, on_delete=models.DB_CASCADE, related_name="invitations")
    time = models.DateTimeField()
    inviter = models.CharField(max_length=255, blank=True)
    inviter_kind = models.CharField(max_length=8, choices=InviterKind)
    invitee = models.CharField(max_length=150)
    accepted = models.BooleanField(null=True, blank=True, help_text="Empty: no answer.")

    class Meta:
        indexes = [models.Index(fields=["session", "time"], name="invitation_session_idx")]

    def __str__(self) -> str:
        return f"{self.inviter or '-'} -> {self.invitee}"


class ChatMessage(models.Model):
    """A personal message (recipient set) or a message to a session's conference chat."""

    message_id = models.CharField("message ID", max_length=128, unique=True)
    # A session's chat goes with the session, inside the database.
    session = models.ForeignKey(
        ConferenceSession, null=True, blank=True, on_delete=models.DB_CASCADE, related_name="chat_messages"
    )
    sender = models.CharField(max_length=150)
    recipient = models.CharField(max_length=150, null=True, blank=True, help_text="Empty: the conference chat.")
    text = models.TextField()
    time = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["time", "id"], name="chat_time_idx"),
            models.Index(fields=["sender", "id"], name="chat_sender_idx"),
            models.Index(fields=["recipient", "id"], name="chat_recipient_idx"),
            models.Index(fields=["session", "id"], name="chat_session_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} -> {self.recipient or 'conference chat'}"


def stored_name(instance: "StoredMedia", filename: str) -> str:
    """A server-chosen name: the uploader's file name never reaches the file system."""
    now = timezone.now()
    return f"{instance.storage_folder}/{now:%Y/%m}/{uuid.uuid4().hex}{instance.storage_suffix}"


class StoredMedia(models.Model):
    """A file kept through Django's storage API under a name the server chose."""

    file = models.FileField(upload_to=stored_name, max_length=255)
    original_name = models.CharField("name", max_length=255, help_text="As uploaded; shown, never used as a path.")
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=128)
    created_at = models.DateTimeField("date", default=timezone.now)
    source_id = models.CharField(
        max_length=128, unique=True, null=True, blank=True, help_text="The server's id: a repeated upload is a no-op."
    )

    storage_folder = "media"
    storage_suffix = ""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class SharedFile(StoredMedia):
    """A file sent to a session's conference chat."""

    session = models.ForeignKey(ConferenceSession, on_delete=models.DB_CASCADE, related_name="files")

    storage_folder = "files"

    class Meta:
        indexes = [models.Index(fields=["session", "created_at"], name="sharedfile_session_idx")]


class Recording(StoredMedia):
    """A server-side recording; it keeps its session from being deleted."""

    # No ON DELETE action: PostgreSQL refuses to delete a session that still has a recording.
    session = models.ForeignKey(ConferenceSession, on_delete=models.DO_NOTHING, related_name="recordings")
    duration = models.FloatField("duration (s)", null=True, blank=True)
    started_at = models.DateTimeField(
        "recording start", null=True, blank=True, help_text="Empty: the recording starts with its session."
    )

    storage_folder = "recordings"

    class Meta:
        indexes = [
            models.Index(fields=["created_at", "id"], name="recording_created_idx"),
            models.Index(fields=["original_name", "id"], name="recording_name_idx"),
            models.Index(fields=["size", "id"], name="recording_size_idx"),
            models.Index(fields=["session", "id"], name="recording_session_idx"),
        ]


class ConferenceEvent(models.Model):
    """The raw event log: an event id seen once is never applied again (idempotent ingest)."""

    class Type(models.TextChoices):
        SESSION_STARTED = "session_started"
        SESSION_ENDED = "session_ended"
        PARTICIPANT_JOINED = "participant_joined"
        PARTICIPANT_LEFT = "participant_left"
        INVITATION = "invitation"
        CHAT_MESSAGE = "chat_message"
        ENDPOINT_INFO = "endpoint_info"

    event_id = models.CharField(max_length=128, unique=True)
    timestamp = models.DateTimeField()
    type = models.CharField(max_length=24, choices=Type)
    session_ref = models.CharField("session ID", max_length=128, blank=True)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["session_ref", "timestamp"], name="confevent_session_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
