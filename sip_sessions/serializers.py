from rest_framework import serializers

from registrations.models import Transport
from voipadmin.api.fields import AwareDateTimeField, UpperChoiceField

from .models import SipEvent, SipEventType

ADDRESS_PARTS = {"remote_ip": "remote IP address", "remote_port": "remote port", "transport": "transport"}


class SipEventIngestSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=64)
    timestamp = AwareDateTimeField()
    event = UpperChoiceField(choices=SipEventType.choices)
    remote_ip = serializers.IPAddressField(required=False, allow_null=True, default=None)
    remote_port = serializers.IntegerField(min_value=1, max_value=65535, required=False, allow_null=True, default=None)
    transport = UpperChoiceField(choices=Transport.choices, required=False, allow_blank=True, default="")
    username = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    details = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)

    def validate(self, attrs):
        """Without a username, only reconciliation can say whose the event is, and it matches the
        full remote address (ip, port and transport): an event missing any of them would be stored
        but never counted as pending, so it is refused, naming each missing part."""
        if not attrs["username"]:
            missing = {
                name: f"an event without a username needs the {part} it came from."
                for name, part in ADDRESS_PARTS.items()
                if attrs[name] in (None, "")
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class SipEventSerializer(serializers.ModelSerializer):
    timestamp = serializers.DateTimeField(source="time")

    class Meta:
        model = SipEvent
        fields = [
            "id",
            "event_id",
            "timestamp",
            "event",
            "details",
            "remote_ip",
            "remote_port",
            "transport",
            "username",
            "account",
            "reconciled",
            "ambiguous",
            "reconciled_at",
        ]
