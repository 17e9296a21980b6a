"""Reading Master.csv exactly as Asterisk's cdr_csv module writes it. Pure functions, no database.

cdr_csv writes one record per line: every text field in double quotes (a quote inside doubled),
the three times as "YYYY-MM-DD HH:MM:SS" in the server's local zone (GMT with usegmtime=yes), an
unset time (a call never answered) as nothing at all, duration and billsec as bare numbers. After
the 16 base columns come, as cdr.conf asks: uniqueid (loguniqueid), userfield (loguserfield), then
peeraccount, linkedid and a bare sequence number (newcdrcolumns). So a line has 16 to 21 columns
and its count tells its layout; 17 and 20 are ambiguous (uniqueid or userfield) and are told apart
by the shape of Asterisk's uniqueid, `[systemname-]<epoch>.<counter>`.

"""

import csv
import datetime
import hashlib
import re
import zoneinfo
from collections.abc import Mapping

BASE_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
COLUMN_NAMES = (*BASE_COLUMNS, "uniqueid", "userfield", *NEW_COLUMNS)
# Column count -> the optional columns after the base ones; "id_or_user" is decided per line.
LAYOUTS = {
    16: (),
    17: ("id_or_user",),
    18: ("uniqueid", "userfield"),
    19: NEW_COLUMNS,
    20: ("id_or_user", *NEW_COLUMNS),
    21: ("uniqueid", "userfield", *NEW_COLUMNS),
}
TEXT_LIMITS = {
    "accountcode": 255,
    "src": 255,
    "dst": 255,
    "dcontext": 255,
    "clid": 255,
    "channel": 255,
    "dstchannel": 255,
    "lastapp": 255,
    "lastdata": 255,
    "uniqueid": 150,
    "linkedid": 150,
    "userfield": 255,
    "peeraccount": 255,
}
UNIQUEID_SHAPE = re.compile(r"^(?:[\w.-]+-)?\d{9,11}\.\d+$")
# duration, billsec and sequence are 32-bit integer columns; ASCII digits only ("²" is a digit to
# str.isdigit, and a Latin-1 byte 0xB2 in a number reads as one).
WHOLE_NUMBER = re.compile(r"[0-9]+")
INT_MAX = 2**31 - 1
# Times outside these bounds are a PBX clock gone wrong (or a corrupt line), not a call: refused
# before they reach the partitions (year 9999 has no month after it) or the time zone arithmetic.
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
AHEAD = datetime.timedelta(days=366)

# Asterisk's disposition strings (ast_cdr_disp2str) and the four the console keeps.
DISPOSITIONS = {
    "ANSWERED": "ANSWERED",
    "NO ANSWER": "NO_ANSWER",
    "NO_ANSWER": "NO_ANSWER",
    "NOANSWER": "NO_ANSWER",
    "CANCEL": "NO_ANSWER",
    "BUSY": "BUSY",
    "FAILED": "FAILED",
    "CONGESTION": "FAILED",
}
# ast_channel_amaflags2string words, the older names the docs use, and the numeric AST_AMA_* codes.
AMA_FLAGS = {
    "OMIT": "OMIT",
    "IGNORE": "OMIT",
    "1": "OMIT",
    "BILLING": "BILLING",
    "BILL": "BILLING",
    "2": "BILLING",
    "DOCUMENTATION": "DOCUMENTATION",
    "DOC": "DOCUMENTATION",
    "3": "DOCUMENTATION",
    "UNKNOWN": "",
    "DEFAULT": "",
    "0": "",
    "": "",
}


class RecordError(ValueError):
    """A record that cannot be stored; the message says what is wrong, for a person to fix."""


def disposition_normalise(text: str) -> str:
    """Asterisk's disposition word as one of ANSWERED, NO_ANSWER, BUSY, FAILED."""
    found = DISPOSITIONS.get(text)  # as Asterisk writes it: the common case, at once
    if found is not None:
        return found
    try:
        return DISPOSITIONS[" ".join(text.strip().upper().split())]
    except KeyError:
        accepted = ", ".join(sorted(DISPOSITIONS))
        raise RecordError(f"disposition {text!r} is not one of Asterisk's ({accepted})") from None


def amaflags_normalise(text: str) -> str:
    found = AMA_FLAGS.get(text)
    if found is not None:
        return found
    try:
        return AMA_FLAGS[text.strip().upper()]
    except KeyError:
        raise RecordError(f"amaflags {text!r} is not OMIT, BILLING, DOCUMENTATION or Unknown") from None


def looks_like_uniqueid(text: str) -> bool:
    return bool(UNIQUEID_SHAPE.match(text))


def local_time(text: str, zone: datetime.tzinfo, name: str) -> datetime.datetime | None:
    """cdr_csv's "YYYY-MM-DD HH:MM:SS" read in `zone`; empty is None (an unset time).

    A wall-clock time that occurs twice (the hour a DST change repeats) is read as its first
    occurrence; usegmtime=yes in cdr.conf avoids the question altogether.
    """
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"{name} {text!r} is not a time (YYYY-MM-DD HH:MM:SS)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        raise RecordError(f"{name} {text!r} is out of range") from None


def whole_number(text: str, name: str) -> int:
    """A non-negative 32-bit integer written in ASCII digits, as the database column holds it."""
    text = text.strip()
    if not WHOLE_NUMBER.fullmatch(text):
        raise RecordError(f"{name} {text!r} is not a whole number")
    value = int(text)
    if value > INT_MAX:
        raise RecordError(f"{name} {value} is more than {INT_MAX}")
    return value


def _check_moment(moment: datetime.datetime | None, name: str, now: datetime.datetime) -> None:
    if moment is not None and not EARLIEST <= moment <= now + AHEAD:
        raise RecordError(f"{name} {moment:%Y-%m-%d %H:%M:%S} UTC is before 2000 or more than a year ahead")


def decode(data: bytes) -> str:
    """UTF-8 as Asterisk normally writes it; a caller ID name in Latin-1 still reads."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def strip_line_end(data: bytes) -> bytes:
    return data.rstrip(b"\r\n")


def fields_of(data: bytes) -> list[str]:
    """The columns of one record (without its line end), quotes and doubled quotes undone."""
    text = decode(strip_line_end(data))
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error as error:
        raise RecordError(f"not CSV as Asterisk writes it ({error})") from None
    if len(rows) != 1:
        raise RecordError("not one CSV record")
    fields = rows[0]
    if len(fields) not in LAYOUTS:
        raise RecordError(f"{len(fields)} columns; Asterisk's Master.csv has 16 to 21")
    return fields


def identity_hash(data: bytes) -> str:
    """What a record without Asterisk's identity is known by: the SHA-1 of its line."""
    return hashlib.sha1(strip_line_end(data), usedforsecurity=False).hexdigest()


def columns_of(data: bytes) -> dict[str, str]:
    """A record's columns by Asterisk's names (all of COLUMN_NAMES, "" where the layout has none),
    with its identity completed where the file lacks one.

    Without a uniqueid the uniqueid is `line-<SHA-1 of the line>` (sequence 0, unless the file has
    one); with a uniqueid but no sequence column (newcdrcolumns off, where one channel can write
    several CDRs with the same uniqueid: forks, one per dial attempt) the sequence is minus the
    first 31 bits of the line's SHA-1. Either way importing the line again finds the same
    identity, so it adds nothing.
    """
    fields = fields_of(data)
    values = dict.fromkeys(COLUMN_NAMES, "")
    values.update(zip(BASE_COLUMNS, fields, strict=False))
    for name, text in zip(LAYOUTS[len(fields)], fields[len(BASE_COLUMNS) :], strict=True):
        if name == "id_or_user":
            name = "uniqueid" if looks_like_uniqueid(text) else "userfield"
        values[name] = text
    has_sequence = "sequence" in LAYOUTS[len(fields)]
    if has_sequence:
        whole_number(values["sequence"], "sequence")
    if not values["uniqueid"]:
        values["uniqueid"] = f"line-{identity_hash(data)}"
        values["sequence"] = values["sequence"] if has_sequence else "0"
    elif not has_sequence:
        values["sequence"] = str(-(int(identity_hash(data)[:8], 16) & 0x7FFFFFFF))
    return values


def record_from_columns(
    values: Mapping[str, str], *, zone: datetime.tzinfo, now: datetime.datetime | None = None
) -> dict:
    """Asterisk's column texts as the Cdr model's field values (caller/callee are matched later).

    Everything the database would refuse is a RecordError here, so one bad line never costs its
    batch: a NUL byte (PostgreSQL text cannot hold one), a number past the integer column, a time
    outside 2000 .. `now` + a year, an end before the start (the API refuses that too).
    """
    now = now or datetime.datetime.now(datetime.UTC)
    record = {}
    for name, limit in TEXT_LIMITS.items():
        text = record[name] = values[name]
        if len(text) > limit:
            raise RecordError(f"{name} is longer than {limit} characters")
        if "\x00" in text:
            raise RecordError(f"{name} contains a NUL byte")
    for name in ("start", "answer", "end"):
        record[name] = local_time(values[name], zone, name)
        _check_moment(record[name], name, now)
    if record["start"] is None:
        raise RecordError("start is empty")
    if record["end"] is None:
        raise RecordError("end is empty")
    if record["end"] < record["start"]:
        raise RecordError(f"end {values['end'].strip()!r} is before start {values['start'].strip()!r}")
    record["duration"] = whole_number(values["duration"], "duration")
    record["billsec"] = whole_number(values["billsec"], "billsec")
    if record["billsec"] > record["duration"]:
        raise RecordError(f"billsec {record['billsec']} exceeds duration {record['duration']}")
    record["disposition_source"] = values["disposition"].strip()
    record["disposition"] = disposition_normalise(values["disposition"])
    record["amaflags"] = amaflags_normalise(values["amaflags"])
    sequence = values["sequence"].strip()
    # negative only when columns_of derived it (31 bits of a hash); the file's own is a whole number
    record["sequence"] = (
        -whole_number(sequence[1:], "sequence") if sequence.startswith("-") else whole_number(sequence, "sequence")
    )
    return record


def parse_record(data: bytes, *, zone: datetime.tzinfo, now: datetime.datetime | None = None) -> dict:
    """One record of the file as the Cdr model's field values."""
    return record_from_columns(columns_of(data), zone=zone, now=now)


def zone_named(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise RecordError(f"unknown time zone {name!r} (use an IANA name such as Europe/Rome or UTC)") from None
