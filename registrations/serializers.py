from rest_framework import serializers

from voipadmin.api.fields import AwareDateTimeField, UpperChoiceField

from .models import Account, EndReason, RegistrationBinding, Transport

# The end reasons a registration item may state with expires 0 (the others are the console's own).
ITEM_END_REASONS = [(EndReason.UNREGISTER.value, "unregister"), (EndReason.EXPIRED.value, "expired")]


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
    reason = serializers.ChoiceField(
        choices=ITEM_END_REASONS,
        required=False,
        allow_blank=True,
        default="",
        help_text="With expires 0 only: unregister (the default: a de-REGISTER) or expired (the registrar "
        "expired the contact).",
    )
    registrar = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The registrar that holds the binding (e.g. kamailio@host); its snapshots resync it.",
    )

    def validate(self, attrs):
        errors = {}
        if attrs["contact"] == "*" and attrs["expires"] != 0:
            errors["contact"] = "'*' (every contact) is only valid with expires 0."
        if attrs["reason"] and attrs["expires"] != 0:
            errors["reason"] = "a reason is only valid with expires 0 (the binding ends)."
        if errors:
            raise serializers.ValidationError(errors)
        if attrs["expires"] == 0 and not attrs["reason"]:
            attrs["reason"] = EndReason.UNREGISTER.value
        return attrs


class SnapshotContactSerializer(serializers.Serializer):
    """One live contact of the registrar at the snapshot's time."""

    username = serializers.CharField(max_length=64)
    contact = serializers.CharField(max_length=512)
    remote_ip = serializers.IPAddressField()
    remote_port = serializers.IntegerField(min_value=1, max_value=65535)
    transport = UpperChoiceField(choices=Transport.choices)
    expires = serializers.IntegerField(
        min_value=1, max_value=10 * 365 * 86400, help_text="Seconds the contact has left at taken_at."
    )
    user_agent = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def validate_contact(self, value: str) -> str:
        if value == "*":
            raise serializers.ValidationError("a snapshot lists contacts, not '*'.")
        return value


MAX_SNAPSHOT_CONTACTS = 100_000


class SnapshotSerializer(serializers.Serializer):
    """The full set of live contacts of one registrar at one moment."""

    registrar = serializers.CharField(max_length=64, help_text="Who holds these contacts, e.g. kamailio@host.")
    taken_at = AwareDateTimeField(help_text="When the registrar listed them (ISO 8601 with an offset).")
    contacts = SnapshotContactSerializer(many=True, allow_empty=True, max_length=MAX_SNAPSHOT_CONTACTS)


class SnapshotResultSerializer(serializers.Serializer):
    ended = serializers.IntegerField(help_text="Bindings of the registrar missing from the snapshot (reason resync).")
    opened = serializers.IntegerField(help_text="Contacts the console had no live binding for.")
    unchanged = serializers.IntegerField(help_text="Contacts already live (a later expiry extends them).")


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
            "registrar",
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
