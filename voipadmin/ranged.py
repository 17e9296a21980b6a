"""Serving a stored file with HTTP byte ranges (RFC 9110 §14), which a media element needs to seek.

Django's FileResponse always sends the whole file from byte 0, so a browser cannot jump into a
recording it has not downloaded. Here a single range gets `206 Partial Content` with its
`Content-Range`; a range that cannot be satisfied (or is malformed: only ASCII digits are
positions) gets `416` naming the size;
several ranges, a unit other than bytes, or an `If-Range` that no longer matches get the whole
file (a server may always ignore Range). The file is read through the storage API by the name the
server chose, in chunks, so memory stays flat whatever the size.
"""

import hashlib
import re
from collections.abc import Iterator

from django.core.files.storage import Storage
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header, parse_etags, quote_etag

CHUNK_BYTES = 64 * 1024
_SPEC = re.compile(r"^[ \t]*([0-9]*)[ \t]*-[ \t]*([0-9]*)[ \t]*$")
# A position of more digits than this lies past any file (2**63 has 19), so it is read as "beyond".
MAX_DIGITS = 19
BEYOND = 10**MAX_DIGITS


class RangeNotSatisfiable(Exception):
    pass


def _position(digits: str) -> int:
    """A byte position, without handing int() thousands of digits (it refuses over 4300)."""
    digits = digits.lstrip("0") or "0"
    return BEYOND if len(digits) > MAX_DIGITS else int(digits)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte to send, both inclusive; None for the whole file.

    Raises RangeNotSatisfiable for a malformed byte range or when no range lies inside the file.
    """
    if not header:
        return None
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    ranges: list[tuple[int, int]] = []
    for part in spec.split(","):
        match = _SPEC.match(part)
        if match is None or not (match[1] or match[2]):
            raise RangeNotSatisfiable(part)
        first, last = match[1], match[2]
        if first:
            start = _position(first)
            if last and _position(last) < start:
                raise RangeNotSatisfiable(part)
            if start >= size:
                continue
            ranges.append((start, min(_position(last), size - 1) if last else size - 1))
        elif _position(last) > 0 and size > 0:
            ranges.append((max(size - _position(last), 0), size - 1))
    if not ranges:
        raise RangeNotSatisfiable(header)
    return ranges[0] if len(ranges) == 1 else None


def _chunks(storage: Storage, name: str, start: int, length: int) -> Iterator[bytes]:
    handle = storage.open(name, "rb")
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            block = handle.read(min(CHUNK_BYTES, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        handle.close()


def ranged_file_response(
    request: HttpRequest,
    *,
    storage: Storage,
    name: str,
    size: int,
    content_type: str,
    filename: str,
    as_attachment: bool,
) -> HttpResponse:
    """The stored file `name` (server-chosen) as a 200, 206, 304 or 416 response."""
    etag = quote_etag(hashlib.sha256(f"{name}:{size}".encode()).hexdigest()[:32])
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Content-Type": content_type or "application/octet-stream",
        "Content-Disposition": content_disposition_header(as_attachment, filename),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-cache",
    }
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
        for header in ("Accept-Ranges", "ETag", "Cache-Control"):
            response[header] = headers[header]
        return response
    wanted = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if wanted and if_range is not None and if_range.strip() != etag:
        wanted = None  # the client's copy is another version: send it all
    try:
        span = parse_range(wanted, size)
    except RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    start, end = span if span is not None else (0, size - 1)
    length = max(end - start + 1, 0)
    status = 206 if span is not None else 200
    if request.method == "HEAD" or length == 0:
        response = HttpResponse(status=status)
    else:
        response = StreamingHttpResponse(_chunks(storage, name, start, length), status=status)
    for header, value in headers.items():
        response[header] = value
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
