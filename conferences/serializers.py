"""The conference API's shapes: the events the server pushes (DESIGN.md) and the rows it reads back."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from voipadmin.api.fields import AwareDateTimeField
from voipadmin.reports.urls import RESERVED_SEGMENTS

from .models import ChatMessage, ConferenceEvent, ConferenceSession, Endpoint, Recording

# A session id is the last segment of `/conferences/<session_id>/`: anything printable but a slash.
SOURCE_ID = re.compile(r"^[^/\s\x00-\x1f\x7f]{1,128}$")
Type = ConferenceEvent.Type

# Fields each event type needs beyond event_id, timestamp and type.
REQUIRED = {
    Type.SESSION_STARTED: ("session_id", "owner"),
    Type.SESSION_ENDED: ("session_id",),
    Type.PARTICIPANT_JOINED: ("session_id", "participant", "endpoint_id"),
    Type.PARTICIPANT_LEFT: ("session_id", "participant", "endpoint_id"),
    Type.INVITATION: ("session_id", "invitee"),
    Type.CHAT_MESSAGE: ("message_id", "sender", "text"),
    Type.ENDPOINT_INFO: ("endpoint_id",),
}


def _source_id(value: str) -> str:
    if not SOURCE_ID.match(value):
        raise serializers.ValidationError("must be 1 to 128 printable characters without '/' or spaces.")
    if value in RESERVED_SEGMENTS:
        raise serializers.ValidationError(
            f"{value!r} is reserved: /conferences/{value}/ is the report's own page, not a session's."
        )
    return value


def _jsonb_problem(value: dict) -> str | None:
    """What PostgreSQL's jsonb would refuse in a value (a NUL or a lone surrogate), named by path.

    Walked with a stack, not recursion: the parser already bounds the nesting, this adds no limit.
    """
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                where = f"{path}.{key}" if path else key
                problem = _text_problem(key)
                if problem:
                    return f"the key {where!r} {problem}."
                stack.append((where, child))
        elif isinstance(item, list):
            stack.extend((f"{path}[{index}]", child) for index, child in enumerate(item))
        elif isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                return f"the value at {path!r} {problem}."
    return None


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "holds a NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (not Unicode text)"
    return None


@extend_schema_field(OpenApiTypes.OBJECT)
class JSONObjectField(serializers.JSONField):
    """A JSON object the database can hold as it is: jsonb refuses NUL and lone surrogates."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            raise serializers.ValidationError("must be a JSON object.")
        problem = _jsonb_problem(data)
        if problem:
            raise serializers.ValidationError(problem)
        return data


class MediaQualitySerializer(serializers.Serializer):
    """Optional media-stream quality of a connection (participant_left) or a session (session_ended)."""

    audio_codec = serializers.CharField(max_length=32, required=False)
    video_codec = serializers.CharField(max_length=32, required=False)
    resolution = serializers.RegexField(r"^\d{1,5}x\d{1,5}$", required=False)
    fps = serializers.FloatField(min_value=0, max_value=240, required=False)
    bitrate_kbps = serializers.FloatField(min_value=0, required=False)
    packet_loss_pct = serializers.FloatField(min_value=0, max_value=100, required=False)
    jitter_ms = serializers.FloatField(min_value=0, required=False)
    rtt_ms = serializers.FloatField(min_value=0, required=False)


class ConferenceEventSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=128)
    timestamp = AwareDateTimeField()
    type = serializers.ChoiceField(choices=Type.choices)
    session_id = serializers.CharField(max_length=128, required=False, allow_null=True, validators=[_source_id])
    # session_started
    conference_id = serializers.CharField(max_length=128, required=False, allow_null=True, allow_blank=True)
    title = serializers.CharField(max_length=255, required=False, allow_blank=True, allow_null=True)
    owner = serializers.CharField(max_length=150, required=False, allow_blank=True)
    mode = serializers.CharField(max_length=64, required=False, allow_blank=True)
    multicast = serializers.BooleanField(required=False)
    # participant_joined / participant_left
    participant = serializers.CharField(max_length=150, required=False)
    display_name = serializers.CharField(max_length=255, required=False, allow_blank=True, allow_null=True)
    guest = serializers.BooleanField(
        required=False, allow_null=True, help_text="Default: a participant id starting with '#guest'."
    )
    endpoint_id = serializers.CharField(max_length=255, required=False)
    media = MediaQualitySerializer(required=False)
    # invitation
    inviter = serializers.CharField(max_length=255, required=False, allow_null=True, allow_blank=True)
    inviter_type = serializers.ChoiceField(choices=["user", "server"], required=False, allow_null=True)
    invitee = serializers.CharField(max_length=150, required=False)
    accepted = serializers.BooleanField(required=False, allow_null=True, default=None)
    # chat_message
    message_id = serializers.CharField(max_length=128, required=False)
    sender = serializers.CharField(max_length=150, required=False)
    recipient = serializers.CharField(max_length=150, required=False, allow_null=True, allow_blank=True)
    text = serializers.CharField(required=False, trim_whitespace=False)
    # endpoint_info
    username = serializers.CharField(max_length=150, required=False, allow_blank=True)
    application = serializers.CharField(max_length=128, required=False, allow_blank=True)
    version = serializers.CharField(max_length=64, required=False, allow_blank=True)
    os = serializers.CharField(max_length=128, required=False, allow_blank=True)
    cpu = serializers.CharField(max_length=128, required=False, allow_blank=True)
    ip = serializers.IPAddressField(required=False, allow_null=True)
    network_test = JSONObjectField(required=False)
    system_info = JSONObjectField(required=False)

    def validate(self, attrs: dict) -> dict:
        kind = attrs["type"]
        missing = {name: [f"required for a {kind} event."] for name in REQUIRED[kind] if not attrs.get(name)}
        if kind == Type.CHAT_MESSAGE and not attrs.get("session_id") and not attrs.get("recipient"):
            missing["recipient"] = ["a chat message needs a recipient (personal) or a session_id (conference chat)."]
        if missing:
            raise serializers.ValidationError(missing)
        if kind in (Type.PARTICIPANT_JOINED, Type.PARTICIPANT_LEFT) and attrs.get("guest") is None:
            attrs["guest"] = attrs["participant"].startswith("#guest")
        return attrs


class ConferenceSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConferenceSession
        fields = [
            "session_id",
            "conference",
            "title",
            "name",
            "owner",
            "started_at",
            "ended_at",
            "mode",
            "multicast",
            "participant_count",
            "connection_count",
            "media",
        ]


class ChatMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChatMessage
        fields = ["id", "message_id", "time", "sender", "recipient", "session", "text"]


class RecordingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = [
            "id",
            "session",
            "original_name",
            "size",
            "content_type",
            "duration",
            "started_at",
            "created_at",
            "source_id",
        ]


class EndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = Endpoint
        fields = [
            "id",
            "endpoint_id",
            "username",
            "logged_user",
            "application",
            "version",
            "os",
            "cpu",
            "ip",
            "first_seen",
            "last_seen",
            "last_conference",
            "network_test",
            "system_info",
        ]


class UploadSerializer(serializers.Serializer):
    """Multipart upload of a recording or a shared file."""

    session_id = serializers.CharField(max_length=128, validators=[_source_id])
    file = serializers.FileField(allow_empty_file=False, use_url=False)
    source_id = serializers.CharField(max_length=128, required=False, help_text="Repeated upload: no-op.")
    created_at = AwareDateTimeField(required=False)
    duration = serializers.FloatField(min_value=0, required=False, help_text="Seconds (recordings).")
    started_at = AwareDateTimeField(
        required=False, help_text="When the recording starts (recordings; default: its session's start)."
    )
