from rest_framework import serializers

from voipadmin.api.fields import AwareDateTimeField, UpperChoiceField

from .models import Account, RegistrationBinding, Transport


class AccountIngestSerializer(serializers.Serializer):
    """One account to create or update; fields left out keep their stored value."""

    username = serializers.CharField(max_length=64)
    display_name = serializers.CharField(max_length=128, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    department = serializers.CharField(max_length=128, required=False, allow_blank=True)
    extension = serializers.CharField(max_length=32, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=32, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = [
            "id",
            "username",
            "display_name",
            "first_name",
            "last_name",
            "department",
            "extension",
            "mobile",
            "active",
            "updated_at",
        ]


class RegistrationIngestSerializer(serializers.Serializer):
    """One registration event of the server's registrar; `expires` 0 removes the contact."""

    event_id = serializers.CharField(max_length=64)
    timestamp = AwareDateTimeField()
    username = serializers.CharField(max_length=64)
    contact = serializers.CharField(max_length=512, help_text="The Contact URI, or * with expires 0 for all.")
    remote_ip = serializers.IPAddressField()
    remote_port = serializers.IntegerField(min_value=1, max_value=65535)
    transport = UpperChoiceField(choices=Transport.choices)
    expires = serializers.IntegerField(min_value=0, max_value=10 * 365 * 86400, help_text="Seconds; 0 unregisters.")
    user_agent = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["contact"] == "*" and attrs["expires"] != 0:
            raise serializers.ValidationError({"contact": "'*' (every contact) is only valid with expires 0."})
        return attrs


class BindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegistrationBinding
        fields = [
            "id",
            "account",
            "username",
            "contact",
            "remote_ip",
            "remote_port",
            "transport",
            "user_agent",
            "registered_at",
            "refreshed_at",
            "expires_at",
            "removed_at",
            "removed_reason",
            "event_id",
        ]


class OnlineAccountSerializer(serializers.ModelSerializer):
    """An account online now with each of its live contacts (Registered Accounts, one per account)."""

    since = serializers.DateTimeField(read_only=True)
    until = serializers.DateTimeField(read_only=True)
    contacts = BindingSerializer(many=True, read_only=True, source="live_contacts")

    class Meta:
        model = Account
        fields = ["id", "username", "display_name", "department", "extension", "since", "until", "contacts"]
