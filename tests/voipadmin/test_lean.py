"""The lean reading of ingest items gives exactly what DRF gives, or steps aside."""

import datetime
import itertools
import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from cdr.serializers import CdrIngestSerializer
from sip_sessions.serializers import SipEventIngestSerializer
from voipadmin.api.fields import AwareDateTimeField, UpperChoiceField
from voipadmin.api.lean import LeanReader

SIP = {
    "event_id": "s1",
    "timestamp": "2026-11-02T10:05:00+01:00",
    "event": "CONNECT",
    "remote_ip": "203.0.113.10",
    "remote_port": 5060,
    "transport": "UDP",
    "details": "TCP connection from 203.0.113.10:5060",
}
CDR = {
    "uniqueid": "1772705701.10",
    "sequence": 3,
    "linkedid": "1772705701.9",
    "src": "1001",
    "dst": "1002",
    "clid": '"Alice Smith" <1001>',
    "channel": "PJSIP/1001-0000000a",
    "start": "2026-03-05T11:15:01+01:00",
    "answer": "2026-03-05T11:15:04+01:00",
    "end": "2026-03-05T11:17:20Z",
    "duration": 139,
    "billsec": 136,
    "disposition": "ANSWERED",
    "amaflags": "DOCUMENTATION",
}
# Times the ingest window refuses (the edges of Python's calendar among them).
OUTSIDE_WINDOW = ["9999-12-31T23:59:59Z", "9999-12-31T23:00:00-05:00", "1999-12-31T23:59:59Z", "2999-01-01T00:00:00Z"]
# Values each field may meet: canonical, odd but valid, and wrong.
ODD_VALUES = {
    "event_id": ["  s1 ", "", "   ", 17, 1.5, True, None, "x" * 64, "x" * 65, "a\x00b", "\ud800", "é"],
    "timestamp": ["2026-11-02T10:05:00Z", "2026-11-02 10:05:00.123+05:30", "2026-11-02T10:05:00", " 2026-11-02T10:05Z",
                  "2026-13-02T10:05:00Z", "yesterday", "2026-11-02", 1772705701, None, *OUTSIDE_WINDOW],
    "event": ["connect", " Connect ", "INVITE", "", None, 3],
    "remote_ip": ["10.0.0.1", " 10.0.0.1 ", "010.0.0.1", "::ffff:10.0.0.1", "2001:db8::1", "", None, "300.1.1.1", 7],
    "remote_port": [1, 65535, 0, 65536, "5060", 5060.0, True, None, -1],
    "transport": ["udp", "tls ", "", " ", None, "SCTP", 1],
    "username": ["1932", " 1932 ", "", "u" * 65, None, 1932],
    "details": ["", "  spaced  ", "line\nbreak", None, "é\x00"],
    "sequence": [0, -1, 2**31 - 1, 2**31, "7", None],
    "start": OUTSIDE_WINDOW,
    "answer": [None, "", "2026-03-05T11:15:04", *OUTSIDE_WINDOW],
    "duration": [0, 136, 135, "139", -1],
    "disposition": ["NO ANSWER", "no answer", " BUSY ", "CONGESTION", "CANCEL", "MAYBE", ""],
    "amaflags": ["", "1", "OMIT", "billing", "9", None],
    "src": ["", " 1001 ", "x" * 256, None],
}  # fmt: skip


def drf(serializer_class, item):
    serializer = serializer_class(data=item)
    return dict(serializer.validated_data) if serializer.is_valid() else None


def variants(base: dict, names: list[str]):
    yield base
    for name in names:
        for value in ODD_VALUES.get(name, []):
            yield {**base, name: value}
        yield {key: value for key, value in base.items() if key != name}  # left out
    for first, second in itertools.combinations(["remote_ip", "username", "remote_port", "transport"], 2):
        yield {key: value for key, value in base.items() if key not in (first, second)}


@pytest.mark.parametrize(
    ("serializer_class", "base"),
    [
        (SipEventIngestSerializer, SIP),
        (SipEventIngestSerializer, {**SIP, "username": "1932", "remote_ip": None}),
        (CdrIngestSerializer, CDR),
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Rome"])
def test_every_variant_reads_as_drf_reads_it(serializer_class, base, zone):
    names = [*serializer_class().fields, "username"]
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        reader = LeanReader(serializer_class())
        lean_read = 0
        for item in variants(base, names):
            expected = drf(serializer_class, item)
            got = reader.read(item)
            if got is not None:
                lean_read += 1
                assert got == expected, item
                assert [value.tzinfo for value in got.values() if isinstance(value, datetime.datetime)] == [
                    value.tzinfo for value in expected.values() if isinstance(value, datetime.datetime)
                ]
        assert reader.read(base) is not None  # the common shape takes the lean path
        assert lean_read > 10


def test_a_serializer_that_reads_its_own_way_is_left_to_drf():
    class Custom(serializers.Serializer):
        name = serializers.CharField()

        def to_internal_value(self, data):
            return {"name": data["name"].upper()}

    assert LeanReader(Custom()).read({"name": "x"}) is None


def test_unknown_field_types_and_missing_optional_fields_read_as_drf():
    class Mixed(serializers.Serializer):
        when = AwareDateTimeField()
        transport = UpperChoiceField(choices=[("UDP", "UDP")])
        tags = serializers.ListField(child=serializers.CharField())
        extra = serializers.DictField(required=False)
        note = serializers.CharField(required=False)  # no default: absent when left out
        flag = serializers.BooleanField(required=False, default=False)
        slug = serializers.RegexField(r"^[a-z]+$", required=False)

        def validate_note(self, value):
            return value.title()

    reader = LeanReader(Mixed())
    for item in [
        {"when": "2026-11-02T10:05:00Z", "transport": "udp", "tags": ["a", 2]},
        {"when": "2026-11-02T10:05:00Z", "transport": "udp", "tags": [], "note": "hello there", "flag": True},
        {"when": "2026-11-02T10:05:00Z", "transport": "udp", "tags": "no", "extra": {"a": 1}},
        {"when": "2026-11-02T10:05:00", "transport": "udp", "tags": []},
        {"when": "2026-11-02T10:05:00Z", "transport": "udp", "tags": [], "slug": "Nope"},
    ]:
        got = reader.read(item)
        assert got is None or got == drf(Mixed, item), item
    read = reader.read({"when": "2026-11-02T10:05:00Z", "transport": "udp", "tags": ["a"], "note": "hi"})
    assert read is not None and "extra" not in read and read["note"] == "Hi" and read["flag"] is False
