from rest_framework import serializers

from voipadmin.api.fields import AwareDateTimeField

from .models import Cdr
from .services.asterisk_csv import (
    BILLSEC_OVER_DURATION,
    COLUMN_NAMES,
    RecordError,
    amaflags_normalise,
    disposition_normalise,
)


class CdrSerializer(serializers.ModelSerializer):
    # null when no account has that number (the CDR is stored all the same)
    caller = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    callee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Cdr
        fields = ["id", *COLUMN_NAMES, "disposition_source", "caller", "callee"]


def _text(limit: int) -> serializers.CharField:
    return serializers.CharField(max_length=limit, required=False, allow_blank=True, default="", trim_whitespace=False)


class CdrIngestSerializer(serializers.Serializer):
    """Asterisk's CDR fields (DESIGN.md `cdrs/`); identity is uniqueid + sequence."""

    uniqueid = serializers.CharField(max_length=150)
    sequence = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=0)
    linkedid = _text(150)
    accountcode = _text(255)
    peeraccount = _text(255)
    src = _text(255)
    dst = _text(255)
    dcontext = _text(255)
    clid = _text(255)
    channel = _text(255)
    dstchannel = _text(255)
    lastapp = _text(255)
    lastdata = _text(255)
    start = AwareDateTimeField()
    answer = AwareDateTimeField(required=False, allow_null=True, default=None)
    end = AwareDateTimeField()
    duration = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    billsec = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    disposition = serializers.CharField(
        max_length=32, help_text='Asterisk\'s word: ANSWERED, "NO ANSWER", BUSY, FAILED, CONGESTION, CANCEL, UNKNOWN.'
    )
    amaflags = serializers.CharField(
        max_length=16, required=False, allow_blank=True, default="", help_text="OMIT, BILLING, DOCUMENTATION or 1-3."
    )
    userfield = _text(255)

    def validate_disposition(self, value: str) -> str:
        try:
            disposition_normalise(value)
        except RecordError as error:
            raise serializers.ValidationError(str(error)) from None
        return value

    def validate_amaflags(self, value: str) -> str:
        try:
            return amaflags_normalise(value)
        except RecordError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate(self, attrs: dict) -> dict:
        if attrs["billsec"] > attrs["duration"] + BILLSEC_OVER_DURATION:
            raise serializers.ValidationError(
                {"billsec": "billsec cannot exceed duration + 1 (initiatedseconds=yes rounds billsec up)."}
            )
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "end is before start."})
        attrs["disposition_source"] = attrs["disposition"].strip()
        attrs["disposition"] = disposition_normalise(attrs["disposition"])
        return attrs
