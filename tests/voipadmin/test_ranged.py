"""Byte ranges for stored files (RFC 9110 §14): what a media element needs to seek."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import RequestFactory

from voipadmin.ranged import RangeNotSatisfiable, parse_range, ranged_file_response

BODY = bytes(range(256)) * 40  # 10240 bytes


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("bytes=0-", (0, 10239)),
        ("bytes=0-0", (0, 0)),
        ("bytes=100-199", (100, 199)),
        ("bytes=10000-20000", (10000, 10239)),  # the end is clamped to the file
        ("bytes=-500", (9740, 10239)),  # the last 500 bytes
        ("bytes=-99999", (0, 10239)),
        ("BYTES = 5-9", (5, 9)),
        ("items=0-5", None),  # a unit we do not know: ignored, whole file
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        ("bytes=0-1,99999-", (0, 1)),  # an unsatisfiable part drops out
        ("bytes=0-" + "9" * 5000, (0, 10239)),  # past int()'s 4300 digits: still "to the end"
        ("bytes=-" + "9" * 5000, (0, 10239)),
        ("bytes=" + "0" * 5000 + "5-" + "0" * 30 + "9", (5, 9)),  # leading zeros are just zeros
        ("bytes=0-9999999999999999999", (0, 10239)),  # 19 digits: read as a number
    ],
)
def test_parse_range(header, expected):
    assert parse_range(header, 10240) == expected


@pytest.mark.parametrize(
    "header",
    [
        "bytes=10240-",
        "bytes=20000-30000",
        "bytes=-0",
        "bytes=5-2",
        "bytes=abc",
        "bytes=-",
        "bytes=1-2-3",
        "bytes=" + "9" * 5000 + "-",  # starts past any file
        "bytes=" + "9" * 20 + "-" + "9" * 25,
        "bytes=\u0661-\u0669",  # Arabic-Indic digits are not positions
        "bytes=\uff10-\uff19",  # nor fullwidth ones
        "bytes=0-\u00b2",
    ],
)
def test_unsatisfiable_or_malformed_ranges(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 10240)


def test_an_empty_file_satisfies_no_range():
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=0-", 0)


@pytest.fixture
def stored():
    name = default_storage.save("tests/body.bin", ContentFile(BODY))
    yield name
    default_storage.delete(name)


def respond(name, method="get", **headers):
    request = getattr(RequestFactory(), method)("/x", headers=headers)
    return ranged_file_response(
        request,
        storage=default_storage,
        name=name,
        size=len(BODY),
        content_type="audio/wav",
        filename='Réunion «été» "1".wav',
        as_attachment=False,
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_whole_file_announces_ranges(stored):
    response = respond(stored)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes" and response["Content-Length"] == "10240"
    assert body(response) == BODY
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-", 0, 10239),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=-10", 10230, 10239),
        ("bytes=10239-", 10239, 10239),
    ],
)
def test_a_range_is_206_with_exactly_those_bytes(stored, header, start, end):
    response = respond(stored, Range=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/10240"
    assert response["Content-Length"] == str(end - start + 1)
    assert body(response) == BODY[start : end + 1]


@pytest.mark.parametrize(
    "header", ["bytes=10240-", "bytes=5-2", "bytes=nonsense", "bytes=" + "1" * 5000 + "-", "bytes=\u0661-\u0669"]
)
def test_a_bad_range_is_416_naming_the_size(stored, header):
    response = respond(stored, Range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */10240"


def test_if_range_with_a_stale_etag_sends_everything(stored):
    etag = respond(stored)["ETag"]
    assert respond(stored, Range="bytes=0-9", **{"If-Range": etag}).status_code == 206
    stale = respond(stored, Range="bytes=0-9", **{"If-Range": '"something-else"'})
    assert stale.status_code == 200 and body(stale) == BODY


def test_if_none_match_is_304(stored):
    etag = respond(stored)["ETag"]
    assert respond(stored, **{"If-None-Match": etag}).status_code == 304


def test_head_sends_headers_only(stored):
    response = respond(stored, method="head", Range="bytes=0-99")
    assert response.status_code == 206 and response["Content-Length"] == "100" and response.content == b""


def test_the_display_name_is_encoded_safely(stored):
    disposition = respond(stored)["Content-Disposition"]
    assert disposition.startswith("inline; filename*=utf-8''")
    assert "%C3%A9t%C3%A9" in disposition and '"1"' not in disposition and "\n" not in disposition
