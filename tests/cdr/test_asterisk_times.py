"""Local times across a DST change, settled by the record's own duration and billsec."""

import datetime
import zoneinfo

import pytest

from cdr.services.asterisk_csv import RecordError, parse_record
from tests.cdr import master_csv as mc

UTC = datetime.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")  # 2026-10-25 03:00 CEST -> 02:00 CET; 2026-03-29 02:00 -> 03:00


def call(start: str, answer: str, end: str, duration: int, billsec: int) -> dict:
    line = (
        f'"","1001","1002","from-internal","""Alice"" <1001>","PJSIP/1001-1","PJSIP/1002-2","Dial","PJSIP/1002",'
        f'"{start}",{f'"{answer}"' if answer else ""},"{end}",{duration},{billsec},'
        f'"ANSWERED","DOCUMENTATION","1792800000.1"'
    )
    return parse_record((line + "\n").encode(), zone=BERLIN)


def utc(hour: int, minute: int, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 10, 25, hour, minute, second, tzinfo=UTC)


def test_end_on_the_second_pass_of_the_repeated_hour():
    """02:50 CEST to 02:10 CET is twenty minutes, not an end before the start."""
    record = call("2026-10-25 02:50:00", "2026-10-25 02:50:05", "2026-10-25 02:10:00", 1200, 1195)
    assert (record["start"], record["answer"], record["end"]) == (utc(0, 50), utc(0, 50, 5), utc(1, 10))


def test_duration_tells_which_pass_the_end_is_on():
    """02:30 CEST to 02:40 CET lasts 4,200 s; the first reading of 02:40 would make it 600 s."""
    record = call("2026-10-25 02:30:00", "2026-10-25 02:30:10", "2026-10-25 02:40:00", 4200, 4190)
    assert (record["start"], record["end"]) == (utc(0, 30), utc(1, 40))


def test_start_before_the_change_and_end_inside_it():
    record = call("2026-10-25 01:50:00", "", "2026-10-25 02:10:00", 4800, 0)
    assert record["start"] == datetime.datetime(2026, 10, 24, 23, 50, tzinfo=UTC)  # 01:50 CEST
    assert (record["answer"], record["end"]) == (None, utc(1, 10))


def test_a_call_wholly_inside_the_repeated_hour_is_reported_not_guessed():
    with pytest.raises(RecordError, match="fit both readings; not imported"):
        call("2026-10-25 02:10:00", "2026-10-25 02:10:05", "2026-10-25 02:20:00", 600, 595)


def test_readings_no_duration_agrees_with_are_reported():
    with pytest.raises(RecordError, match="no reading in Europe/Berlin agrees with duration 60"):
        call("2026-10-25 02:10:00", "", "2026-10-25 02:20:00", 60, 0)


def test_a_time_the_spring_change_skips_is_the_wrong_zone():
    with pytest.raises(RecordError, match="does not exist in Europe/Berlin"):
        call("2026-03-29 02:30:00", "", "2026-03-29 03:31:00", 60, 0)


def test_outside_a_change_times_are_read_as_before():
    """One reading each: the numbers are not consulted (older Asterisks compute them otherwise)."""
    record = parse_record((mc.L16 + "\n").encode(), zone=BERLIN)
    assert record["start"] == datetime.datetime(2026, 3, 5, 9, 15, 1, tzinfo=UTC)
