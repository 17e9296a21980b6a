from rest_framework import serializers

from registrations.models import Transport
from voipadmin.api.fields import AwareDateTimeField, UpperChoiceField

from .models import SipEvent, SipEventType


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
        if not attrs["username"] and not attrs["remote_ip"]:
            raise serializers.ValidationError(
                {"remote_ip": "an event without a username needs the remote address it came from."}
            )
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
