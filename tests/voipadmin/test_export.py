"""CSV export: exact bytes, injection neutralised, viewer's zone and delimiter, COPY == Python."""

import csv
import datetime
import io

import pytest
from django.http import QueryDict

from audit.models import WebAccess
from tests.audit.factories import WebAccessFactory
from tests.testapp.models import Probe
from tests.testapp.reports import probes
from voipadmin.models import Preference
from voipadmin.reports import export
from voipadmin.reports.export import export_columns, export_stream
from voipadmin.reports.filters import select
from voipadmin.reports.keyset import order_queryset, parse_ordering

pytestmark = pytest.mark.django_db

NOON_UTC = datetime.datetime(2026, 7, 1, 12, 0, 5, 999999, tzinfo=datetime.UTC)


def body(response) -> bytes:
    assert response.streaming, "exports must stream"
    return b"".join(response.streaming_content)


def test_web_sessions_export_bytes(support_client):
    WebAccessFactory(
        time=NOON_UTC, principal="=cmd|' /C calc'!A0", ip="10.0.0.1", outcome="login_failed", user_agent="+SUM(1,2)"
    )
    WebAccessFactory(
        time=NOON_UTC - datetime.timedelta(hours=1),
        principal="anna",
        ip=None,
        outcome="login",
        user_agent='Mozilla "quoted", with comma',
    )
    data = body(support_client.get("/web-sessions/export.csv"))
    assert data == (
        b"Date (UTC),Principal,IP address,Event type,User agent\n"
        b"2026-07-01 12:00:05,'=cmd|' /C calc'!A0,10.0.0.1,login_failed,\"'+SUM(1,2)\"\n"
        b'2026-07-01 11:00:05,anna,,login,"Mozilla ""quoted"", with comma"\n'
    )


def test_export_honours_zone_delimiter_and_bom(support_client, support):
    WebAccessFactory(time=NOON_UTC, principal="-2+3", ip="10.0.0.9", outcome="logout", user_agent="@SUM")
    Preference.objects.create(user=support, time_zone="Asia/Kolkata", csv_delimiter=";", csv_encoding="utf-8-sig")
    response = support_client.get("/web-sessions/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="web-sessions-')
    assert (
        body(response)
        == (
            "\ufeffDate (Asia/Kolkata);Principal;IP address;Event type;User agent\n"
            "2026-07-01 17:30:05;'-2+3;10.0.0.9;logout;'@SUM\n"
        ).encode()
    )


def test_export_is_the_filtered_sorted_selection(support_client):
    for n, principal in enumerate(["carol", "alice", "bob", "dave"]):
        WebAccessFactory(
            time=NOON_UTC + datetime.timedelta(minutes=n),
            principal=principal,
            outcome="login_failed" if principal != "dave" else "login",
        )
    data = body(support_client.get("/web-sessions/export.csv?outcome=login_failed&o=principal"))
    principals = [row[1] for row in csv.reader(io.StringIO(data.decode()))][1:]
    assert principals == ["alice", "bob", "carol"]


def test_export_needs_the_export_right(client, operator):
    client.force_login(operator)
    assert client.get("/web-sessions/export.csv").status_code == 403


def test_bad_filter_is_a_400_naming_it(client, support):
    client.force_login(support)
    response = client.get("/web-sessions/export.csv?time_after=tomorrow-ish")
    assert response.status_code == 400
    assert b"time" in response.content


TRICKY = [
    "=1+1",
    "+x",
    "-y",
    "@z",
    "\tTAB",
    "\rCR",
    "\nLF",
    'say "hi"',
    "a,b",
    "a;b",
    "line\nbreak",
    "",
    "naïve ünïcödé ☎",
    "  spaced  ",
    "\\.",
    "plain",
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_copy_and_python_writers_give_identical_bytes(delimiter):
    Probe.objects.bulk_create(
        [
            Probe(
                event_id=f"t{n}",
                time=NOON_UTC + datetime.timedelta(seconds=n),
                kind="PING",
                note=note,
                value=None if n % 3 == 0 else -n,
                flag=bool(n % 2),
            )
            for n, note in enumerate(TRICKY)
        ]
    )
    queryset = order_queryset(select(probes, QueryDict("")).queryset, parse_ordering("time", ["time"], "time"))
    columns = export_columns(probes, "America/New_York")
    kwargs = {"zone_name": "America/New_York", "delimiter": delimiter, "encoding": "utf-8"}
    through_copy = b"".join(export_stream(queryset, columns, use_copy=True, **kwargs))
    through_python = b"".join(export_stream(queryset, columns, use_copy=False, **kwargs))
    assert through_copy == through_python
    rows = list(csv.reader(io.StringIO(through_copy.decode()), delimiter=delimiter))
    assert rows[0] == ["Time (America/New_York)", "Kind", "Note", "Value", "Flag", "Event id"]
    notes = [row[2] for row in rows[1:]]
    assert notes[:7] == ["'=1+1", "'+x", "'-y", "'@z", "'\tTAB", "'\rCR", "'\nLF"]
    assert rows[1][0] == "2026-07-01 08:00:05"  # EDT
    assert [row[3] for row in rows[1:4]] == ["", "-1", "-2"]  # numbers are not neutralised
    assert [row[4] for row in rows[1:3]] == ["no", "yes"]


def test_export_streams_in_chunks_without_loading_everything(db, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_BYTES", 64 * 1024)  # the rows below make several chunks
    Probe.objects.bulk_create(
        [
            Probe(event_id=f"b{n}", time=NOON_UTC + datetime.timedelta(seconds=n), kind="PONG", note="x" * 200)
            for n in range(2000)
        ]
    )
    queryset = order_queryset(Probe.objects.all(), parse_ordering("time", ["time"], "time"))
    chunks = list(
        export_stream(queryset, export_columns(probes, "UTC"), zone_name="UTC", delimiter=",", encoding="utf-8")
    )
    assert len(chunks) > 3  # header + several chunks of about CHUNK_BYTES, never one big string
    assert max(len(chunk) for chunk in chunks[1:]) < 64 * 1024 + 1024
    assert b"".join(chunks).count(b"\n") == 2001


def test_webaccess_columns_cover_the_report():
    assert [
        column.label
        for column in export_columns(__import__("audit.reports", fromlist=["web_sessions"]).web_sessions, "UTC")
    ] == ["Date (UTC)", "Principal", "IP address", "Event type", "User agent"]
    assert WebAccess._meta.get_field("ip").null


def test_web_sessions_cells_starting_with_tab_cr_or_lf_are_neutralised(support_client):
    for hour, agent in enumerate(["\tcmd", "\rcmd", "\ncmd"]):
        WebAccessFactory(
            time=NOON_UTC - datetime.timedelta(hours=hour), principal="p", ip=None, outcome="login", user_agent=agent
        )
    data = body(support_client.get("/web-sessions/export.csv"))
    assert data.split(b"\n", 1)[1] == (
        b"2026-07-01 12:00:05,p,,login,'\tcmd\n"
        b'2026-07-01 11:00:05,p,,login,"\'\rcmd"\n'
        b'2026-07-01 10:00:05,p,,login,"\'\ncmd"\n'
    )
