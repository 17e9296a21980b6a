"""One way to write durations and sizes in every list: h:mm:ss and KB/MB (the CSV keeps the raw
seconds and bytes, so a spreadsheet can still add them up)."""

import datetime

from django.utils.formats import number_format

from .definition import Column


def duration_text(value: int | float | datetime.timedelta | None) -> str:
    """`1:02:05` for 3725 seconds (or a timedelta); blank for none."""
    if value is None:
        return ""
    seconds = int(value.total_seconds() if isinstance(value, datetime.timedelta) else value)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def duration_hint(value: int | float | datetime.timedelta | None) -> str:
    """The same duration in seconds, for the hover: `3,725 s`."""
    if value is None:
        return ""
    seconds = value.total_seconds() if isinstance(value, datetime.timedelta) else value
    return f"{number_format(round(seconds, 1) if seconds % 1 else int(seconds), force_grouping=True)} s"


def size_text(size: int | None) -> str:
    """`512 bytes`, `12.3 KB`, `4.0 MB`, `1.2 GB` (binary multiples, as file managers show them)."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


def size_hint(size: int | None) -> str:
    return "" if size is None else f"{number_format(size, force_grouping=True)} bytes"


def duration_column(field: str, label: str) -> Column:
    """A column of seconds shown as h:mm:ss (seconds in the hover), exported as `<label> (s)`."""
    return Column(
        field,
        label,
        export_label=f"{label} (s)",
        text=lambda row: duration_text(getattr(row, field)),
        hint=lambda row: duration_hint(getattr(row, field)),
        reads=(),
    )


def size_column(field: str, label: str) -> Column:
    """A column of bytes shown as KB/MB (bytes in the hover), exported as `<label> (bytes)`."""
    return Column(
        field,
        label,
        export_label=f"{label} (bytes)",
        text=lambda row: size_text(getattr(row, field)),
        hint=lambda row: size_hint(getattr(row, field)),
        reads=(),
    )
