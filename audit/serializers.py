from rest_framework import serializers

from voipadmin.api.fields import AwareDateTimeField

from .models import AuditRecord, ConfigChange, ServerConfigAction, ServerConfigSection, ServerEvent, WebAccess


class WebAccessSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebAccess
        fields = ["id", "time", "outcome", "principal", "entered_login", "ip", "user_agent", "reason"]


class AuditRecordSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(read_only=True)

    class Meta:
        model = AuditRecord
        fields = [
            "id",
            "time",
            "actor",
            "actor_kind",
            "actor_id",
            "actor_sub_id",
            "actor_name",
            "action",
            "resource_table",
            "resource_id",
            "statement",
            "ip",
            "correlation_id",
            "details",
            "seq",
            "prev_hash",
            "hash",
        ]


class ConfigChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(read_only=True)
    object = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = ConfigChange
        fields = ["id", "time", "actor", "action", "resource_table", "resource_id", "object", "changes", "ip"]

    def get_object(self, row) -> str:
        return row.details.get("object", "")

    def get_changes(self, row) -> list[dict]:
        return [{"parameter": name, "before": before, "after": after} for name, before, after in row.changes]


SERVER_EVENT_DETAILS = [
    "success",
    "username",
    "ip",
    "entered_login",
    "real_user_id",
    "endpoint_id",
    "application",
    "auth_method",
    "user_rights",
    "display_name",
    "previous_status",
    "new_status",
    "description",
    "admin_type",
    "user_agent",
    "deleted_count",
    "users",
    "details",
]


class ServerEventSerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event_type")
    timestamp = serializers.DateTimeField(source="time")

    class Meta:
        model = ServerEvent
        fields = ["id", "event_id", "timestamp", "event", *SERVER_EVENT_DETAILS]


class ServerEventIngestSerializer(serializers.Serializer):
    """One event the VoIP server reports (seed 001 event types and detail fields)."""

    event_id = serializers.CharField(max_length=128)
    timestamp = AwareDateTimeField()
    event = serializers.ChoiceField(choices=ServerEvent.EventType.choices)
    success = serializers.BooleanField(required=False, default=True)
    username = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    ip = serializers.IPAddressField(required=False, allow_null=True, default=None)
    entered_login = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    real_user_id = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    endpoint_id = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    application = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    auth_method = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    user_rights = serializers.RegexField(r"^[01]*$", max_length=64, required=False, allow_blank=True, default="")
    display_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    previous_status = serializers.ChoiceField(
        choices=ServerEvent.Status.choices, required=False, allow_null=True, default=None
    )
    new_status = serializers.ChoiceField(
        choices=ServerEvent.Status.choices, required=False, allow_null=True, default=None
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    admin_type = serializers.ChoiceField(
        choices=ServerEvent.AdminType.choices, required=False, allow_blank=True, default=""
    )
    user_agent = serializers.CharField(max_length=512, required=False, allow_blank=True, default="")
    deleted_count = serializers.IntegerField(
        min_value=0, max_value=2**63 - 1, required=False, allow_null=True, default=None
    )  # a bigint column
    users = serializers.ListField(child=serializers.CharField(max_length=150), required=False, default=list)
    details = serializers.DictField(required=False, default=dict)

    def validate(self, attrs):
        if attrs["event"] == ServerEvent.EventType.STATUS:
            missing = [name for name in ("previous_status", "new_status") if attrs.get(name) is None]
            if missing:
                raise serializers.ValidationError(
                    {name: "a status event needs it (-2, 0, 1, 2 or 5)" for name in missing}
                )
        if attrs["event"].startswith("delete_") and attrs.get("deleted_count") is None:
            raise serializers.ValidationError({"deleted_count": "a delete_* event says how many rows went"})
        return attrs


class ParameterChangeSerializer(serializers.Serializer):
    parameter = serializers.CharField(max_length=128)
    before = serializers.JSONField(required=False, allow_null=True, default=None)
    after = serializers.JSONField(required=False, allow_null=True, default=None)


class ServerConfigChangeIngestSerializer(serializers.Serializer):
    """One change of the VoIP server's own configuration (seed 001 Configuration Changes): a
    parameter with its value before and after (or several, in `changes`), who made it and when."""

    event_id = serializers.CharField(max_length=128)
    timestamp = AwareDateTimeField()
    section = serializers.ChoiceField(
        choices=ServerConfigSection.choices, help_text="Which part of the server's configuration changed."
    )
    object = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        default="",
        help_text="The changed object of the section: a conference's ID, a group, a survey, an LDAP server...",
    )
    action = serializers.ChoiceField(
        choices=ServerConfigAction.choices,
        required=False,
        default=ServerConfigAction.UPDATE,
        help_text="A (added), U (updated, the default) or D (deleted).",
    )
    parameter = serializers.CharField(
        max_length=128, required=False, help_text="The changed parameter (e.g. topic, schedule, registration)."
    )
    before = serializers.JSONField(required=False, allow_null=True, default=None)
    after = serializers.JSONField(required=False, allow_null=True, default=None)
    changes = ParameterChangeSerializer(
        many=True, required=False, help_text="Several parameters of one change, instead of parameter/before/after."
    )
    who = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default="", help_text="The server administrator's login."
    )
    ip = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default="", help_text="Where the change was made from."
    )

    def validate(self, attrs):
        if attrs.get("changes") and attrs.get("parameter"):
            raise serializers.ValidationError({"changes": "give either parameter/before/after or changes, not both"})
        if not attrs.get("changes"):
            if not attrs.get("parameter"):
                raise serializers.ValidationError({"parameter": "which parameter changed (or a list in changes)"})
            attrs["changes"] = [
                {"parameter": attrs["parameter"], "before": attrs.get("before"), "after": attrs.get("after")}
            ]
        names = [change["parameter"] for change in attrs["changes"]]
        if len(set(names)) != len(names):
            raise serializers.ValidationError({"changes": "a parameter is named twice"})
        return attrs
