"""Serializer fields the ingest contracts share (DESIGN.md "API": times carry an offset)."""

from django.utils.dateparse import parse_datetime
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset (`Z`, `+01:00`); a time without one is refused, not guessed."""

    default_error_messages = {"naive": "give the time with an offset (e.g. 2026-11-20T10:00:00+01:00 or ...Z)."}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)  # refuses what is not a time at all
        if isinstance(value, str):
            stated = parse_datetime(value.strip())
            if stated is not None and stated.tzinfo is None:
                self.fail("naive")
        return parsed


class UpperChoiceField(serializers.ChoiceField):
    """A choice given in any case (`udp`, `Udp`) is stored as the upper-case code."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)
