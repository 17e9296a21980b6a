"""A CDR's three times as Asterisk writes them, settled across a DST change by the CDR's own numbers.

cdr_csv, cdr_custom, cdr_pgsql and cdr_adaptive_odbc write "YYYY-MM-DD HH:MM:SS" in the PBX's
local zone unless told to use GMT/UTC. In the hour an autumn change repeats such a time has two
readings an hour apart, and a time in the hour a spring change skips has none (Asterisk, turning a
real instant into local time, never writes one: the zone given is not the PBX's). main/cdr.c
computes duration as end - start truncated to the second and billsec as end - answer truncated (or
rounded, initiatedseconds=yes), from the instants, not the wall clock: so of the readings only the
ones whose differences agree with duration and billsec to the second are the call. One left: it is
the call. Several that differ (a call wholly inside the repeated hour) or none: a RecordError that
says so, never a guess an hour off.
"""

import datetime
import functools
import itertools
import re
from collections.abc import Sequence

EPOCH_SECONDS = re.compile(r"[0-9]{9,11}(?:\.[0-9]{1,6})?")
# The times Asterisk writes are whole seconds, each truncated on its own: end - start is the
# duration or one more, and billsec may be rounded up besides.
SECONDS_SLACK = 1


@functools.lru_cache(maxsize=4096)
def _hour_offset(zone: datetime.tzinfo, hour: str) -> datetime.timedelta | None:
    """The zone's one UTC offset through the hour "YYYY-MM-DD HH", or None when the offset changes
    within it (a DST change: every time in it is read the slow way). Cached: a file's lines share
    their hours, and `replace`/`utcoffset` per time would halve the parse rate."""
    try:
        first = datetime.datetime.fromisoformat(hour + ":00:00")
    except ValueError:
        return None
    last = first + datetime.timedelta(minutes=59, seconds=59)
    offsets = {moment.replace(tzinfo=zone, fold=fold).utcoffset() for moment in (first, last) for fold in (0, 1)}
    return offsets.pop() if len(offsets) == 1 else None


class TimeError(ValueError):
    """A time that cannot be read, or readings the record's numbers cannot settle."""


def readings(text: str, zone: datetime.tzinfo, name: str) -> list[datetime.datetime] | None:
    """The UTC instants `text` can be in `zone`: one, or two in the hour a DST change repeats.
    Empty text is None (an unset time). Raw epoch seconds (`CDR(start,f)`) are one instant."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        if EPOCH_SECONDS.fullmatch(text):
            return [datetime.datetime.fromtimestamp(float(text), datetime.UTC)]
        raise TimeError(f"{name} {text!r} is not a time (YYYY-MM-DD HH:MM:SS)") from None
    try:
        if moment.tzinfo is not None:
            return [moment.astimezone(datetime.UTC)]
        offset = _hour_offset(zone, text[:13]) if len(text) == 19 else None
        if offset is not None:  # no change in this hour: the common case
            return [(moment - offset).replace(tzinfo=datetime.UTC)]
        found = []
        for fold in (0, 1):
            instant = moment.replace(tzinfo=zone, fold=fold).astimezone(datetime.UTC)
            if instant not in found and instant.astimezone(zone).replace(tzinfo=None) == moment:
                found.append(instant)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        raise TimeError(f"{name} {text!r} is out of range") from None
    if not found:
        raise TimeError(
            f"{name} {text!r} does not exist in {zone} (the hour a DST change skips): is that the PBX's zone?"
        )
    return found


def _fits(start, answer, end, duration: int, billsec: int) -> bool:
    if end < start or (answer is not None and not start <= answer <= end):
        return False
    if abs((end - start).total_seconds() - duration) > SECONDS_SLACK:
        return False
    return answer is None or abs((end - answer).total_seconds() - billsec) <= SECONDS_SLACK


def settle(
    texts: dict[str, str], zone: datetime.tzinfo, *, duration: int, billsec: int
) -> dict[str, datetime.datetime | None]:
    """{"start", "answer", "end"} as UTC instants from their texts (a missing "end" is start +
    duration, a missing "answer" end - billsec when billsec > 0: the calldate-only tables)."""
    start = readings(texts["start"], zone, "start")
    if start is None:
        raise TimeError("start is empty")
    has_end = "end" in texts
    end = readings(texts["end"], zone, "end") if has_end else None
    if has_end and end is None:
        raise TimeError("end is empty")
    answer = readings(texts["answer"], zone, "answer") if "answer" in texts else None
    if not has_end:
        return _derived(start, duration, billsec, answer, texts["start"], zone)
    if len(start) == len(end) == 1 and (answer is None or len(answer) == 1):
        return {"start": start[0], "answer": answer[0] if answer else None, "end": end[0]}
    combos: Sequence[tuple] = list(itertools.product(start, answer or [None], end))
    if len(combos) > 1:
        fitting = [combo for combo in combos if _fits(*combo, duration, billsec)]
        if len(fitting) != 1:
            raise TimeError(_unsettled(texts, zone, duration, billsec, fitting))
        combos = fitting
    chosen_start, chosen_answer, chosen_end = combos[0]
    return {"start": chosen_start, "answer": chosen_answer, "end": chosen_end}


def _derived(start, duration, billsec, answer, text, zone) -> dict:
    if len(start) > 1:
        raise TimeError(
            f"start {text.strip()!r} is in the hour {zone} repeats and the record has no end to tell which; "
            "not imported (have Asterisk write UTC: usegmtime / timezone=UTC)"
        )
    begin = start[0]
    end = begin + datetime.timedelta(seconds=duration)
    if answer is None:
        answer = [end - datetime.timedelta(seconds=billsec)] if billsec else [None]
    return {"start": begin, "answer": answer[0], "end": end}


def _unsettled(texts: dict[str, str], zone, duration: int, billsec: int, fitting: list[tuple]) -> str:
    times = ", ".join(f"{name} {texts[name].strip()!r}" for name in ("start", "answer", "end") if texts.get(name))
    if fitting:
        return (
            f"{times}: in the hour {zone} repeats, and duration {duration} / billsec {billsec} fit both "
            "readings; not imported (have Asterisk write UTC: usegmtime=yes)"
        )
    return f"{times}: no reading in {zone} agrees with duration {duration} and billsec {billsec}"
