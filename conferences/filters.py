"""The conference reports' filters. A filter on a person (owner, participant, sender, recipient)
names one person: an exact, case-insensitive match, so the history link of `bob` does not list
`bobby`; looking for part of a name is the quick search's job (`q`)."""

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from voipadmin.reports import ReportFilterSet
from voipadmin.reports.widgets import DateTimeRangeFilter, NumberRangeFilter, YesNoFilter

from .models import ChatMessage, ConferenceSession, Endpoint, Participation, Recording


class ConferenceSessionFilter(ReportFilterSet):
    started_at = DateTimeRangeFilter(label="Start")
    ended_at = DateTimeRangeFilter(label="End")
    running = YesNoFilter(method="filter_running", label="Running now")
    session_id = django_filters.CharFilter(lookup_expr="icontains", label="Session ID")
    name = django_filters.CharFilter(lookup_expr="icontains", label="Title")
    owner = django_filters.CharFilter(lookup_expr="iexact", label="Owner")
    participant = django_filters.CharFilter(method="filter_participant", label="Participant")
    conference = django_filters.CharFilter(field_name="conference_id", label="Conference ID")
    mode = django_filters.CharFilter(lookup_expr="icontains", label="Mode")
    participant_count = NumberRangeFilter(label="Participants", min_value=0)

    search_fields = ("session_id", "name", "owner", "conference__conference_id", "conference__title", "mode")

    class Meta:
        model = ConferenceSession
        fields = ["started_at", "ended_at", "session_id", "name", "owner", "conference", "mode", "participant_count"]

    def filter_running(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(ended_at__isnull=value)

    def filter_participant(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Sessions someone took part in (a user's history), by exact id or display name."""
        connections = Participation.objects.filter(session=OuterRef("pk"))
        return queryset.filter(
            Exists(connections.filter(participant__iexact=value))
            | Exists(connections.filter(display_name__iexact=value))
        )


class ChatMessageFilter(ReportFilterSet):
    KINDS = [("personal", "Personal message"), ("conference", "Conference chat")]

    time = DateTimeRangeFilter(label="Date")
    sender = django_filters.CharFilter(lookup_expr="iexact", label="Sender")
    recipient = django_filters.CharFilter(lookup_expr="iexact", label="Recipient")
    session = django_filters.CharFilter(field_name="session_id", label="Session ID")
    kind = django_filters.MultipleChoiceFilter(choices=KINDS, method="filter_kind", label="Chat")
    text = django_filters.CharFilter(lookup_expr="icontains", label="Text")

    search_fields = ("sender", "recipient", "session__session_id", "text")

    class Meta:
        model = ChatMessage
        fields = ["time", "sender", "recipient", "session", "text"]

    def filter_kind(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if set(value) >= {"personal", "conference"}:
            return queryset
        return queryset.filter(recipient__isnull="conference" in value)


class RecordingFilter(ReportFilterSet):
    created_at = DateTimeRangeFilter(label="Date")
    session = django_filters.CharFilter(field_name="session_id", label="Session ID")
    title = django_filters.CharFilter(field_name="session__name", lookup_expr="icontains", label="Title")
    conference = django_filters.CharFilter(field_name="session__conference_id", label="Conference ID")
    original_name = django_filters.CharFilter(lookup_expr="icontains", label="Name")
    size = NumberRangeFilter(label="Size (bytes)", min_value=0)

    search_fields = ("original_name", "session__session_id", "session__name", "content_type")

    class Meta:
        model = Recording
        fields = ["created_at", "session", "original_name", "size"]


class EndpointFilter(ReportFilterSet):
    last_seen = DateTimeRangeFilter(label="Last seen")
    endpoint_id = django_filters.CharFilter(lookup_expr="icontains", label="Endpoint")
    logged_user = django_filters.CharFilter(lookup_expr="icontains", label="Logged user")
    username = django_filters.CharFilter(lookup_expr="icontains", label="User")
    application = django_filters.CharFilter(lookup_expr="icontains", label="Application")
    version = django_filters.CharFilter(lookup_expr="icontains", label="Version")
    os = django_filters.CharFilter(lookup_expr="icontains", label="OS")
    ip = django_filters.CharFilter(lookup_expr="icontains", label="IP address")

    # Every field (seed 001: "the search ... can be performed for all fields").
    search_fields = (
        "endpoint_id",
        "username",
        "logged_user",
        "application",
        "version",
        "os",
        "cpu",
        "ip",
        "last_conference",
        "network_test",
        "system_info",
    )

    class Meta:
        model = Endpoint
        fields = ["last_seen", "endpoint_id", "logged_user", "username", "application", "version", "os", "ip"]
