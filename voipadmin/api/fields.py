"""Serializer fields the ingest contracts share (DESIGN.md "API": times carry an offset)."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

# The times an ingest item may carry (docs/api.md). A server clock gone wrong, or a year 9999
# sentinel, is refused with a 400 naming the field: stored, it would open partitions for months
# nobody will ever look at, and arithmetic on it (an expiry, the next month) overflows.
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
AHEAD = datetime.timedelta(days=366)


def ingest_time_window(now: datetime.datetime | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """(earliest, latest) time an ingest item may carry, both inclusive."""
    return EARLIEST, (now or timezone.now()) + AHEAD


class IngestDateTimeField(serializers.DateTimeField):
    """A time inside the ingest window (from 2000 to a year from now)."""

    default_error_messages = {
        "out_of_window": "the time must lie between {earliest} and a year from now ({latest}).",
        "overflow": "the time must lie between 2000-01-01T00:00:00Z and a year from now.",  # past year 9999 in UTC
    }

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)  # refuses what is not a time at all
        earliest, latest = ingest_time_window()
        if not earliest <= parsed <= latest:
            self.fail("out_of_window", earliest=f"{earliest:%Y-%m-%dT%H:%M:%SZ}", latest=f"{latest:%Y-%m-%dT%H:%M:%SZ}")
        return parsed


class AwareDateTimeField(IngestDateTimeField):
    """ISO 8601 with an offset (`Z`, `+01:00`); a time without one is refused, not guessed."""

    default_error_messages = {"naive": "give the time with an offset (e.g. 2026-11-20T10:00:00+01:00 or ...Z)."}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
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
