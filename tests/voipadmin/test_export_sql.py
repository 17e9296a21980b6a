"""The export's SQL (sort the stored values, format after the sort, look accounts up after it):
byte for byte what the Python writer gives, for every first character, NULLs, zones across DST,
durations, sizes and the account columns; its settings end with it."""

import csv
import datetime
import io
import string

import psycopg
import pytest
from django.db import connection
from django.http import QueryDict

from cdr.models import Cdr
from cdr.reports import cdr_report
from conferences.reports import call_history, recordings
from tests.cdr.factories import AccountFactory, CdrFactory
from tests.conferences.factories import RecordingFactory, SessionFactory
from tests.testapp.models import Probe
from tests.testapp.reports import probes
from voipadmin.reports.export import copy_chunks, copy_statement, export_columns, export_stream
from voipadmin.reports.filters import select
from voipadmin.reports.formulae import ALWAYS, FORMULA_STARTS, QUOTE, SAFE_FIRST, SKIPPED, neutralise
from voipadmin.reports.keyset import order_queryset
from voipadmin.reports.paging import report_ordering

pytestmark = pytest.mark.django_db

NOON_UTC = datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.UTC)


def both_ways(report, query: str = "", zone: str = "UTC", delimiter: str = ",") -> bytes:
    """The export of `report` through COPY and through Python: asserted equal, returned once."""
    params = QueryDict(query)
    queryset = order_queryset(select(report, params).queryset, report_ordering(report, params))
    columns = export_columns(report, zone)
    kwargs = {"zone_name": zone, "delimiter": delimiter, "encoding": "utf-8"}
    through_copy = b"".join(export_stream(queryset, columns, use_copy=True, **kwargs))
    through_python = b"".join(export_stream(queryset, columns, use_copy=False, **kwargs))
    assert through_copy == through_python
    return through_copy


def records(data: bytes, delimiter: str = ",") -> list[list[str]]:
    """The CSV read back with the csv module, the header first."""
    return list(csv.reader(io.StringIO(data.decode(), newline=""), delimiter=delimiter))


def notes(data: bytes) -> list[str]:
    """The Note column of a probes export (the third)."""
    return [row[2] for row in records(data)[1:]]


def probe_rows(texts: list[str]) -> None:
    Probe.objects.bulk_create(
        [
            Probe(event_id=f"n{n}", time=NOON_UTC + datetime.timedelta(seconds=n), kind="PING", note=text)
            for n, text in enumerate(texts)
        ]
    )


def test_every_dangerous_first_character_gets_the_quote():
    dangerous = sorted(set(ALWAYS) | set(FORMULA_STARTS))
    texts = [f"{char}x" for char in dangerous]
    texts += [f"{blank}=1" for blank in SKIPPED] + [f"{blank}x" for blank in SKIPPED]
    probe_rows(texts)
    cells = notes(both_ways(probes, "o=time"))
    expected = [QUOTE + text if text[0] in dangerous or text.endswith("=1") else text for text in texts]
    assert cells == expected
    assert len(cells) == len(dangerous) + 2 * len(SKIPPED)


def test_every_ascii_first_character_agrees_with_the_python_rule():
    texts = [f"{chr(code)}{tail}" for code in range(1, 128) for tail in ("", "x", "=1", "1")]
    probe_rows(texts)
    assert notes(both_ways(probes, "o=time")) == [neutralise(text) for text in texts]


def test_the_safe_first_characters_are_none_a_rule_looks_at():
    looked_at = set(ALWAYS) | set(FORMULA_STARTS) | set(SKIPPED)
    safe = {chr(code) for code, flag in enumerate(SAFE_FIRST, start=1) if flag}
    assert not safe & looked_at
    assert set(string.ascii_letters + string.digits + '"') <= safe
    assert len(SAFE_FIRST) == 127


def test_signed_numbers_and_empty_and_null_cells():
    Probe.objects.bulk_create(
        [
            Probe(event_id="a", time=NOON_UTC, kind="PING", note="+39028107575", value=None),
            Probe(event_id="b", time=NOON_UTC + datetime.timedelta(seconds=1), kind="PING", note="", value=-3),
            Probe(event_id="c", time=NOON_UTC + datetime.timedelta(seconds=2), kind="PING", note="-1.5x", value=0),
        ]
    )
    assert both_ways(probes, "o=time").split(b"\n", 1)[1] == (
        b"2026-07-01 12:00:00,PING,+39028107575,,no,a\n"
        b"2026-07-01 12:00:01,PING,,-3,no,b\n"
        b"2026-07-01 12:00:02,PING,'-1.5x,0,no,c\n"
    )


# Europe/Rome leaves CET for CEST at 01:00 UTC on 2026-03-29 and comes back at 01:00 UTC on 2026-10-25.
DST_MOMENTS = [
    (datetime.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=datetime.UTC), "2026-03-29 01:59:59"),
    (datetime.datetime(2026, 3, 29, 1, 0, 0, tzinfo=datetime.UTC), "2026-03-29 03:00:00"),
    (datetime.datetime(2026, 10, 25, 0, 30, 0, 500000, tzinfo=datetime.UTC), "2026-10-25 02:30:00"),
    (datetime.datetime(2026, 10, 25, 1, 30, 0, tzinfo=datetime.UTC), "2026-10-25 02:30:00"),
    (datetime.datetime(2026, 12, 31, 23, 0, 0, tzinfo=datetime.UTC), "2027-01-01 00:00:00"),
]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_times_in_the_viewers_zone_across_dst(delimiter):
    Probe.objects.bulk_create(
        [Probe(event_id=f"d{n}", time=moment, kind="PONG") for n, (moment, _) in enumerate(DST_MOMENTS)]
    )
    lines = both_ways(probes, "o=time", zone="Europe/Rome", delimiter=delimiter).decode().splitlines()
    assert lines[0].startswith(f"Time (Europe/Rome){delimiter}")
    assert [line.split(delimiter)[0] for line in lines[1:]] == [wall for _, wall in DST_MOMENTS]


def at(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


# Before and after PostgreSQL's epoch (2000-01-01) and the cut-over of the SQL's two ways of
# truncating (2000-01-02 UTC): whole, half and nearly whole seconds.
TRUNCATED_MOMENTS = [
    (at(1969, 12, 31, 23, 59, 59, 500000), "1969-12-31 23:59:59", "1970-01-01 13:59:59"),
    (at(1999, 12, 31, 23, 59, 59), "1999-12-31 23:59:59", "2000-01-01 13:59:59"),
    (at(1999, 12, 31, 23, 59, 59, 999999), "1999-12-31 23:59:59", "2000-01-01 13:59:59"),
    (at(2000, 1, 1, 0, 0, 0, 499999), "2000-01-01 00:00:00", "2000-01-01 14:00:00"),
    (at(2000, 1, 1, 12, 0, 0), "2000-01-01 12:00:00", "2000-01-02 02:00:00"),
    (at(2000, 1, 2, 0, 0, 0), "2000-01-02 00:00:00", "2000-01-02 14:00:00"),
    (at(2000, 1, 2, 0, 0, 0, 500000), "2000-01-02 00:00:00", "2000-01-02 14:00:00"),
    (at(2026, 7, 1, 12, 0, 5, 500000), "2026-07-01 12:00:05", "2026-07-02 02:00:05"),
    (at(2026, 7, 1, 12, 0, 5, 999999), "2026-07-01 12:00:05", "2026-07-02 02:00:05"),
]


@pytest.mark.parametrize(("zone", "column"), [("UTC", 1), ("Etc/GMT-14", 2)])
def test_times_are_truncated_to_the_second_before_and_after_2000(zone, column):
    Probe.objects.bulk_create(
        [Probe(event_id=f"t{n}", time=moment[0], kind="PONG") for n, moment in enumerate(TRUNCATED_MOMENTS)]
    )
    lines = both_ways(probes, "o=time", zone=zone).decode().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [moment[column] for moment in TRUNCATED_MOMENTS]


def test_the_export_settings_end_with_it():
    probe_rows(["x"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone'), current_setting('jit'), current_setting('DateStyle')")
        before = cursor.fetchone()
    both_ways(probes, zone="Asia/Kolkata")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone'), current_setting('jit'), current_setting('DateStyle')")
        assert cursor.fetchone() == before


def test_cdr_account_columns_durations_and_nulls():
    anna = AccountFactory(username="anna")
    evil = AccountFactory(username="=HYPERLINK(1)")
    CdrFactory(start=NOON_UTC, caller=anna, callee=evil, duration=3725, billsec=3700, sequence=-1)
    CdrFactory(
        start=NOON_UTC + datetime.timedelta(minutes=1),
        caller=None,
        callee=anna,
        disposition=Cdr.Disposition.NO_ANSWER,
        answer=None,
        billsec=0,
        duration=30,
        sip_code=None,
    )
    header, newest, oldest = records(both_ways(cdr_report, zone="Europe/Rome"))
    assert header[8:12] == ["Duration (s)", "Billsec (s)", "Caller", "Callee"]
    assert newest[1] == "" and newest[8:12] == ["30", "0", "", "anna"]  # no answer, no caller
    assert oldest[8:12] == ["3725", "3700", "anna", "'=HYPERLINK(1)"]
    assert oldest[22] == ""  # a derived (negative) sequence is blank
    assert oldest[0] == "2026-07-01 14:00:00"


def test_account_lookups_keep_the_order_of_every_sort():
    accounts = [AccountFactory(username=f"user{n:02d}") for n in range(7)]
    for n in range(60):
        CdrFactory(
            start=NOON_UTC + datetime.timedelta(seconds=(n * 37) % 60),
            caller=accounts[n % 7] if n % 5 else None,
            callee=accounts[(n * 3) % 7],
            duration=n,
            billsec=n // 2,
        )
    for query in ("", "o=start", "o=-duration", "o=caller__username", "o=-callee__username", "account=user03"):
        assert both_ways(cdr_report, query).count(b"\n") > 1


def test_account_columns_are_looked_up_after_the_sort():
    params = QueryDict("")
    queryset = order_queryset(select(cdr_report, params).queryset, report_ordering(cdr_report, params))
    statement, _ = copy_statement(queryset, export_columns(cdr_report, "UTC"), ",")
    inner = statement.split(" FROM (", 1)[1].split(") s ", 1)[0]
    assert "registrations_account" not in inner  # the sorted rows carry the account ids only
    assert statement.count('LEFT JOIN "registrations_account"') == 2


def test_recording_sizes_and_float_durations():
    session = SessionFactory(session_id="S9", title="Board")
    RecordingFactory(session=session, size=1536, duration=1.0, created_at=NOON_UTC, original_name="@a.wav")
    RecordingFactory(session=session, size=3 * 2**20, duration=2.5, created_at=NOON_UTC + datetime.timedelta(hours=1))
    RecordingFactory(session=session, size=10, duration=None, created_at=NOON_UTC + datetime.timedelta(hours=2))
    header, *rows = records(both_ways(recordings))
    assert header == ["Date (UTC)", "Session ID", "Title", "Conference", "Name", "Size (bytes)", "Duration (s)"]
    assert [row[2:] for row in rows] == [
        ["Board", "", "Weekly sync.wav", "10", ""],
        ["Board", "", "Weekly sync.wav", "3145728", "2.5"],
        ["Board", "", "'@a.wav", "1536", "1"],
    ]


def test_call_history_durations_are_seconds_on_every_database():
    """An interval prints `00:15:00` on PostgreSQL and `0:15:00` from Python (SQLite): the CSV
    writes its seconds on both, as every duration column does."""
    start = NOON_UTC
    SessionFactory(session_id="S1", started_at=start, ended_at=start + datetime.timedelta(minutes=15))
    SessionFactory(
        session_id="S2",
        started_at=start + datetime.timedelta(hours=1),
        ended_at=start + datetime.timedelta(days=1, hours=1, seconds=2, milliseconds=500),
    )
    SessionFactory(session_id="S3", started_at=start + datetime.timedelta(hours=2), ended_at=None)
    header, *rows = records(both_ways(call_history, "o=started_at"))
    at = header.index("Duration (s)")
    assert [(row[0], row[at]) for row in rows] == [("S1", "900"), ("S2", "86402.5"), ("S3", "")]


def copied(statement: str) -> list[bytes]:
    with connection.cursor():  # connected
        pass
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        return list(copy_chunks(copy))


def test_copy_chunks_hold_every_row_once_in_order():
    """Rows taken from libpq's buffer and rows waited for by psycopg interleave: all arrive, once."""
    chunks = copied("COPY (SELECT g, repeat('x', g % 50) FROM generate_series(1, 30000) g) TO STDOUT")
    expected = "".join(f"{g}\t{'x' * (g % 50)}\n" for g in range(1, 30001)).encode()
    assert b"".join(chunks) == expected
    assert len(chunks) > 1
    with connection.cursor() as cursor:  # the connection is idle again
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_an_error_midway_through_the_copy_is_raised():
    with pytest.raises(psycopg.errors.DivisionByZero):
        copied("COPY (SELECT 1 / (3 - g) FROM generate_series(1, 5) g) TO STDOUT")


@pytest.mark.django_db(transaction=True)
def test_a_download_stopped_midway_leaves_the_connection_usable():
    probe_rows(["x" * 200] * 2000)
    params = QueryDict("")
    queryset = order_queryset(select(probes, params).queryset, report_ordering(probes, params))
    stream = export_stream(
        queryset, export_columns(probes, "UTC"), zone_name="UTC", delimiter=",", encoding="utf-8", use_copy=True
    )
    next(stream), next(stream)  # the header and the first chunk
    stream.close()
    assert Probe.objects.count() == 2000
    assert not connection.in_atomic_block
