"""Finding Asterisk's records in the bytes of a Master.csv that may still be growing.

A record normally is one line. Asterisk never escapes a newline inside a field, so such a record
spans lines, with an odd number of quotes on its first line: lines are joined while the quotes stay
unbalanced, at most MAX_RECORD_BYTES (cdr_csv builds a record in a 1 KiB buffer). Past that, or
if the joined text is no record, the first line alone is reported broken and reading resumes on the
next one. Bytes after the last line end are a record Asterisk is still writing: left for later.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .asterisk_csv import RecordError, fields_of

MAX_RECORD_BYTES = 1024
CHUNK_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class RawRecord:
    """One record's bytes as found in the file, or a line that is none (`problem` says why)."""

    line: int  # its first physical line, counted from 1
    lines: int  # physical lines it spans
    data: bytes
    end: int  # file offset just after it
    problem: str = ""


def _is_record(data: bytes, count: int | None) -> bool:
    try:
        fields_of(data, count=count)
    except RecordError:
        return False
    return True


def split_records(
    data: bytes, *, offset: int, line: int, final: bool, count: int | None = None
) -> tuple[list[RawRecord], int, int]:
    """The complete records at the start of `data`, which begins at file `offset` after `line` lines.

    Returns (records, bytes consumed, lines consumed). Bytes after the last line end are left
    for later (Asterisk is still writing them), as is a record whose quotes are still open,
    unless `final`, when nothing more will come: that record's first line is reported broken.
    A blank line (an editor's, a script's trailing newline) is no record and is passed over.
    `count` is the column count of a `--columns` layout (else cdr_csv's 16 to 21).
    """
    records: list[RawRecord] = []
    pos = 0
    lines = 0
    size = len(data)
    while pos < size:
        newline = data.find(b"\n", pos)
        if newline < 0:
            break
        end = newline + 1
        if not data[pos:end].strip():
            pos, lines = end, lines + 1
            continue
        quotes = data.count(b'"', pos, end)
        span = 1
        if quotes % 2:
            joined_end = end
            while quotes % 2 and joined_end - pos <= MAX_RECORD_BYTES:
                following = data.find(b"\n", joined_end)
                if following < 0:
                    break
                quotes += data.count(b'"', joined_end, following + 1)
                joined_end = following + 1
                span += 1
            closed = quotes % 2 == 0 and joined_end - pos <= MAX_RECORD_BYTES
            if closed and _is_record(data[pos:joined_end], count):
                end = joined_end
            elif not closed and joined_end - pos <= MAX_RECORD_BYTES and not final:
                break  # the rest of this record has not been written yet
            else:
                records.append(RawRecord(line + lines + 1, 1, data[pos:end], offset + end, "unbalanced quotes"))
                pos, lines = end, lines + 1
                continue
        records.append(RawRecord(line + lines + 1, span, data[pos:end], offset + end))
        pos, lines = end, lines + span
    return records, pos, lines


class RecordReader:
    """Complete records from a binary file, from a byte offset and line number on."""

    def __init__(self, handle: BinaryIO, *, offset: int, line: int, count: int | None = None):
        self.handle = handle
        self.count = count
        self.offset = offset  # just after the last record yielded
        self.line = line
        self.leftover = b""

    def records(self, *, final: bool) -> Iterator[RawRecord]:
        self.handle.seek(self.offset)
        buffer = b""
        while True:
            chunk = self.handle.read(CHUNK_BYTES)
            at_end = not chunk
            buffer += chunk
            found, used, lines = split_records(
                buffer, offset=self.offset, line=self.line, final=final and at_end, count=self.count
            )
            buffer = buffer[used:]
            self.offset += used
            self.line += lines
            yield from found
            if at_end:
                break
        self.leftover = buffer
