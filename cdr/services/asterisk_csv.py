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

from .asterisk_times import TimeError, settle

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
# ast_channel_uniqueid: "<epoch>.<counter>", or "<systemname>-<epoch>.<counter>" when asterisk.conf
# sets systemname, which Asterisk takes as written (any printable text: "pbx+01", "pbx east").
UNIQUEID_SHAPE = re.compile(r"^(?:[^\x00-\x1f]+-)?\d{9,11}\.\d+$")
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
    # ast_cdr_disp2str's answer to a disposition it has no word for
    "UNKNOWN": "FAILED",
}
# ast_cdr_disposition's numbers: what cdr_pgsql and cdr_adaptive_odbc write into an integer column.
DISPOSITION_CODES = {
    0: "NO ANSWER",
    1: "NO ANSWER",
    2: "FAILED",
    4: "BUSY",
    8: "ANSWERED",
    16: "CONGESTION",
    32: "CANCEL",
}
# billsec is rounded up from half a second when cdr.conf has initiatedseconds=yes, while duration
# is always truncated (main/cdr.c): billsec can be duration + 1, never more.
BILLSEC_OVER_DURATION = 1
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


def decode(data: bytes, encoding: str | None = None) -> str:
    """The line's text: in `encoding` when given (strictly), else UTF-8 as Asterisk normally writes
    it and, for a caller ID name from an older phone or trunk, cp1252 (Latin-1 where cp1252 has no
    character)."""
    if encoding:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            raise RecordError(f"not {encoding} (byte {data[error.start]:#04x} at {error.start})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def is_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def strip_line_end(data: bytes) -> bytes:
    return data.rstrip(b"\r\n")


def fields_of(data: bytes, *, encoding: str | None = None, count: int | None = None) -> list[str]:
    """The columns of one record (without its line end), quotes and doubled quotes undone; `count`
    is the number a `--columns` layout names (else one of cdr_csv's 16 to 21)."""
    text = decode(strip_line_end(data), encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error as error:
        raise RecordError(f"not CSV as Asterisk writes it ({error})") from None
    if len(rows) != 1:
        raise RecordError("not one CSV record")
    fields = rows[0]
    if count is not None:
        if len(fields) != count:
            raise RecordError(f"{len(fields)} columns; --columns names {count}")
    elif len(fields) not in LAYOUTS:
        raise RecordError(f"{len(fields)} columns; Asterisk's Master.csv has 16 to 21")
    return fields


def identity_hash(data: bytes) -> str:
    """What a record without Asterisk's identity is known by: the SHA-1 of its line."""
    return hashlib.sha1(strip_line_end(data), usedforsecurity=False).hexdigest()


def _cdr_csv_columns(fields: list[str]) -> tuple[dict[str, str], bool]:
    if len(fields) == 19 and _looks_like_cdr_custom(fields):
        raise RecordError(
            "this is cdr_custom's sample template (clid first, accountcode 16th), not cdr_csv's layout: "
            "import it with --columns cdr_custom (or give your cdr_custom.conf template to --columns)"
        )
    values = dict.fromkeys(COLUMN_NAMES, "")
    values.update(zip(BASE_COLUMNS, fields, strict=False))
    for name, text in zip(LAYOUTS[len(fields)], fields[len(BASE_COLUMNS) :], strict=True):
        if name == "id_or_user":
            name = "uniqueid" if looks_like_uniqueid(text) else "userfield"
        values[name] = text
    return values, "sequence" in LAYOUTS[len(fields)]


def _looks_like_cdr_custom(fields: list[str]) -> bool:
    from .asterisk_layouts import looks_like_cdr_custom  # that module builds on this one

    return looks_like_cdr_custom(fields)


def _custom_columns(fields: list[str], columns: tuple[str, ...]) -> tuple[dict[str, str], bool]:
    values = dict.fromkeys(name for name in COLUMN_NAMES if name not in ("answer", "end"))
    values = dict.fromkeys(values, "")
    values.update((name, text) for name, text in zip(columns, fields, strict=True) if name != "-")
    return values, "sequence" in columns


def columns_of(data: bytes, *, columns: tuple[str, ...] | None = None, encoding: str | None = None) -> dict[str, str]:
    """A record's columns by Asterisk's names (all of COLUMN_NAMES, "" where the layout has none;
    a `--columns` layout without answer or end leaves them out, to be derived), with its identity
    completed where the file lacks one.

    Without a uniqueid the uniqueid is `line-<SHA-1 of the line>` (sequence 0, unless the file has
    one); with a uniqueid but no sequence column (newcdrcolumns off, where one channel can write
    several CDRs with the same uniqueid: forks, one per dial attempt) the sequence is minus the
    first 31 bits of the line's SHA-1. Either way importing the line again finds the same
    identity, so it adds nothing.
    """
    fields = fields_of(data, encoding=encoding, count=len(columns) if columns else None)
    values, has_sequence = _custom_columns(fields, columns) if columns else _cdr_csv_columns(fields)
    if has_sequence:
        whole_number(values["sequence"], "sequence")
    if not values["uniqueid"]:
        values["uniqueid"] = f"line-{identity_hash(data)}"
        values["sequence"] = values["sequence"] if has_sequence else "0"
    elif not has_sequence:
        values["sequence"] = str(-(int(identity_hash(data)[:8], 16) & 0x7FFFFFFF))
    return values


def seconds(text: str, name: str) -> int:
    """duration / billsec: a whole number, or cdr_custom's `CDR(duration,f)` seconds with a
    fraction (truncated, as main/cdr.c truncates)."""
    whole, dot, fraction = text.strip().partition(".")
    if dot and not WHOLE_NUMBER.fullmatch(fraction):
        raise RecordError(f"{name} {text.strip()!r} is not a whole number")
    return whole_number(whole if dot else text, name)


def record_from_columns(
    values: Mapping[str, str], *, zone: datetime.tzinfo, now: datetime.datetime | None = None
) -> dict:
    """Asterisk's column texts as the Cdr model's field values (caller/callee are matched later).

    Everything the database would refuse is a RecordError here, so one bad line never costs its
    batch: a NUL byte (PostgreSQL text cannot hold one), a number past the integer column, a time
    outside 2000 .. `now` + a year, an end before the start (the API refuses that too), billsec
    more than duration + 1. Local times in the hour a DST change repeats are settled by duration
    and billsec (asterisk_times).
    """
    now = now or datetime.datetime.now(datetime.UTC)
    record = {}
    for name, limit in TEXT_LIMITS.items():
        text = record[name] = values[name]
        if len(text) > limit:
            raise RecordError(f"{name} is longer than {limit} characters")
        if "\x00" in text:
            raise RecordError(f"{name} contains a NUL byte")
    record["duration"] = seconds(values["duration"], "duration")
    record["billsec"] = seconds(values["billsec"], "billsec")
    texts = {name: values[name] for name in ("start", "answer", "end") if name in values}
    try:
        record.update(settle(texts, zone, duration=record["duration"], billsec=record["billsec"]))
    except TimeError as error:
        raise RecordError(str(error)) from None
    for name in ("start", "answer", "end"):
        _check_moment(record[name], name, now)
    if record["end"] < record["start"]:
        raise RecordError(f"end {values['end'].strip()!r} is before start {values['start'].strip()!r}")
    if record["billsec"] > record["duration"] + BILLSEC_OVER_DURATION:
        raise RecordError(
            f"billsec {record['billsec']} exceeds duration {record['duration']} + {BILLSEC_OVER_DURATION} "
            "(the most initiatedseconds=yes rounds it up)"
        )
    record["disposition_source"] = values["disposition"].strip()
    record["disposition"] = disposition_normalise(values["disposition"])
    record["amaflags"] = amaflags_normalise(values["amaflags"])
    sequence = values["sequence"].strip()
    # negative only when columns_of derived it (31 bits of a hash); the file's own is a whole number
    record["sequence"] = (
        -whole_number(sequence[1:], "sequence") if sequence.startswith("-") else whole_number(sequence, "sequence")
    )
    return record


def parse_record(
    data: bytes,
    *,
    zone: datetime.tzinfo,
    now: datetime.datetime | None = None,
    columns: tuple[str, ...] | None = None,
    encoding: str | None = None,
) -> dict:
    """One record of the file as the Cdr model's field values."""
    return record_from_columns(columns_of(data, columns=columns, encoding=encoding), zone=zone, now=now)


def zone_named(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise RecordError(f"unknown time zone {name!r} (use an IANA name such as Europe/Rome or UTC)") from None
