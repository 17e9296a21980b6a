"""Files that are not cdr_csv's: cdr_custom (and cdr_sqlite3_custom) write the columns their template
names, in its order. The operator hands the template (or the list of names) to `--columns`.

cdr_custom's sample mapping, the one most PBXs keep, puts clid first and accountcode sixteenth
(configs/samples/cdr_custom.conf.sample); `--columns cdr_custom` names it.
"""

import re

from .asterisk_csv import COLUMN_NAMES, RecordError

CDR_CUSTOM_DEFAULT = (
    "clid",
    "src",
    "dst",
    "dcontext",
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
    "accountcode",
    "uniqueid",
    "userfield",
    "sequence",
)
PRESETS = {"cdr_custom": CDR_CUSTOM_DEFAULT}
IGNORED = "-"
# cdr_sqlite3_custom's and FreePBX's name for the start column
ALIASES = {"calldate": "start"}
CDR_VARIABLE = re.compile(r"CDR\(\s*(\w+)", re.IGNORECASE)
REQUIRED = ("start", "duration", "billsec", "disposition")
CONFIG_KEY = re.compile(r"^\s*(?:fields|columns|values)\s*=\s*", re.IGNORECASE)
TIME = re.compile(r"\s*(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)?\s*")


def _parts(template: str) -> list[str]:
    """The template split at its top-level commas (not inside quotes, ${...} or (...))."""
    parts, current, depth, quoted = [], [], 0, False
    for char in template:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "({":
            depth += 1
        elif not quoted and char in ")}":
            depth -= 1
        elif char == "," and not quoted and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _name(part: str) -> str:
    found = CDR_VARIABLE.search(part)
    name = found.group(1) if found else part.strip().split("(", 1)[0].strip()
    name = ALIASES.get(name.lower(), name.lower())
    return name if name in COLUMN_NAMES else IGNORED


def columns_named(text: str) -> tuple[str, ...]:
    """`--columns`: a preset name, a comma-separated list of CDR field names, or the template itself
    (cdr_custom's `${CSV_QUOTE(${CDR(clid)})},...` or `fields = clid,src,...`, cdr_sqlite3_custom's
    `values`). A column that is no CDR field (a literal, ${EPOCH}, a user variable) is skipped."""
    text = text.strip()
    if text in PRESETS:
        return PRESETS[text]
    # the mapping's value, without `Master.csv =>` (cdr_custom legacy) or `fields =` (advanced),
    # `columns =` / `values =` (cdr_sqlite3_custom)
    text = text.split("=>", 1)[-1] if "=>" in text else CONFIG_KEY.sub("", text)
    columns = tuple(_name(part) for part in _parts(text))
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        known = ", ".join(COLUMN_NAMES)
        raise RecordError(f"--columns names no {', '.join(missing)} (CDR field names: {known}; or 'cdr_custom')")
    doubled = sorted({name for name in columns if name != IGNORED and columns.count(name) > 1})
    if doubled:
        raise RecordError(f"--columns names {', '.join(doubled)} twice")
    return columns


def looks_like_cdr_custom(fields: list[str]) -> bool:
    """A line of cdr_custom's sample template read as cdr_csv's: times in columns 9-11, not 10-12."""
    return (
        len(fields) == len(CDR_CUSTOM_DEFAULT)
        and bool(fields[8].strip())
        and all(TIME.fullmatch(text) for text in fields[8:11])
        and not TIME.fullmatch(fields[11])
    )
