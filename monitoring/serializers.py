from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from voipadmin.api.fields import AwareDateTimeField

from .models import STATE_FIELDS, TerminalKind, TerminalState
from .rules import State
from .selectors import UserRow


class TerminalStateIngestSerializer(serializers.Serializer):
    """One terminal's state as the server saw it at `timestamp`; the newest per terminal wins."""

    event_id = serializers.CharField(max_length=64)
    timestamp = AwareDateTimeField()
    username = serializers.CharField(max_length=64)
    terminal = serializers.IntegerField(min_value=1, max_value=4, help_text="The terminal's slot, 1 to 4.")
    kind = serializers.ChoiceField(
        choices=TerminalKind.choices,
        help_text="sip, dect, usb, mobile or gui (the user's own client, the UC / softphone GUI; any case).",
    )
    registered = serializers.BooleanField()
    calls_ringing = serializers.IntegerField(min_value=0, max_value=999, default=0)
    calls_active = serializers.IntegerField(min_value=0, max_value=999, default=0)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    model = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("kind"), str):
            data = {**data, "kind": data["kind"].strip().lower()}
        return super().to_internal_value(data)


class TerminalStateSerializer(serializers.ModelSerializer):
    """A terminal's current state (GET /api/v1/terminal-states/)."""

    username = serializers.CharField(source="account.username", read_only=True)

    class Meta:
        model = TerminalState
        fields = ["id", "username", *STATE_FIELDS, "event_id", "timestamp", "updated_at"]


class MonitoredTerminalSerializer(serializers.Serializer):
    terminal = serializers.IntegerField(source="slot")
    kind = serializers.ChoiceField(choices=TerminalKind.choices)
    registered = serializers.BooleanField(help_text="For SIP: the push, or a live registration binding.")
    calls_ringing = serializers.IntegerField()
    calls_active = serializers.IntegerField()
    address = serializers.CharField()
    model = serializers.CharField()
    source = serializers.ChoiceField(
        choices=["push", "binding", "account"],
        help_text="push: terminal-states/; binding: a live registration with no SIP terminal pushed; "
        "account: the account's mobile number.",
    )
    url = serializers.CharField(source="link", allow_null=True, help_text="The device's web interface (SIP, DECT).")


class MonitoredUserSerializer(serializers.Serializer):
    """One user of User Monitoring: state by the rule of DESIGN.md and up to four terminals."""

    id = serializers.IntegerField(source="account_id")
    username = serializers.CharField()
    department = serializers.CharField()
    first_name = serializers.CharField(label="name")
    last_name = serializers.CharField(label="surname")
    extension = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    calls = serializers.IntegerField(help_text="Active calls when RED, ringing calls when ORANGE, else 0.")
    terminals = MonitoredTerminalSerializer(many=True)


@extend_schema_serializer(many=False)  # the page itself, not a list of pages
class MonitoredUserPageSerializer(serializers.Serializer):
    """A page of GET /api/v1/monitoring/: the users and the link to the next page."""

    next = serializers.URLField(allow_null=True, help_text="The next page, null on the last one.")
    results = MonitoredUserSerializer(many=True)


def monitored_user(row: UserRow) -> dict:
    """What MonitoredUserSerializer gives for a row, built directly: a page holds 500 users and
    2,000 terminals, which DRF's field-by-field serializers take ten times longer to write. Tests
    hold the two to the same output."""
    return {
        "id": row.account_id,
        "username": row.username,
        "department": row.department,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "extension": row.extension,
        "state": row.state.value,
        "calls": row.calls,
        "terminals": [
            {
                "terminal": terminal.slot,
                "kind": str(terminal.kind),
                "registered": terminal.registered,
                "calls_ringing": terminal.calls_ringing,
                "calls_active": terminal.calls_active,
                "address": terminal.address,
                "model": terminal.model,
                "source": terminal.source,
                "url": terminal.link,
            }
            for terminal in row.terminals
        ],
    }
