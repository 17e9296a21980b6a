"""The ingest endpoints' JSON parser reads every body as DRF's JSONParser does, or refuses it the same way."""

import io
import json

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from voipadmin.api.parsers import IngestJSONParser

BODIES = [
    b'[{"event_id": "e1", "remote_port": 5060, "details": "caf\\u00e9 \xc3\xa9"}]',
    b'{"a": 1, "a": 2}',  # the last one wins
    b"[1.5, -0, -0.0, 1e3, 12345678901234567, 9223372036854775807]",
    b"[18446744073709551616, -9223372036854775809, 123456789012345678901234567890]",  # past 64 bits: ints
    b'{"s": "12345678901234567890"}',  # a long run of digits in a string
    b'"\\ud800"',  # a lone surrogate: the standard library takes it, the field then refuses it
    b"[NaN]",
    b"[Infinity]",
    b"[1e400]",
    b"\xef\xbb\xbf[1]",  # a byte order mark
    b"[1,]",
    b"{not json",
    b"\xff\xfe",
    b"",
    b'["tab\there"]',  # a raw control character
    b"  [true, false, null]  ",
]


def parse(parser, body: bytes, encoding: str = "utf-8"):
    try:
        return "ok", parser.parse(io.BytesIO(body), "application/json", {"encoding": encoding})
    except ParseError as error:
        return "refused", str(error.detail)


@pytest.mark.parametrize("body", BODIES)
def test_every_body_reads_or_is_refused_as_drf_does(body):
    fast, drf = parse(IngestJSONParser(), body), parse(JSONParser(), body)
    assert fast == drf
    if fast[0] == "ok":
        assert json.dumps(fast[1]) == json.dumps(drf[1])  # the same types too (an int stays an int)


def test_another_charset_is_read_by_drf():
    body = '["é"]'.encode("latin-1")
    assert parse(IngestJSONParser(), body, "latin-1") == ("ok", ["é"])


def test_the_ingest_endpoints_use_it():
    from cdr.api import CdrResource
    from sip_sessions.api import SipEventResource

    for resource in (CdrResource, SipEventResource):
        assert IngestJSONParser in resource.parser_classes and JSONParser not in resource.parser_classes
