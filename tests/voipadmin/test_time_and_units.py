"""One way to write time and units (issue 18): 24-hour times in the viewer's zone, h:mm:ss
durations with the seconds in the hover and in the CSV, sizes in KB/MB, date presets as links,
a page size kept in the query string and capped."""

import csv
import datetime
import io
import re
import zoneinfo

import pytest
from django.http import QueryDict

from audit.models import WebAccess
from tests.audit.factories import WebAccessFactory
from tests.cdr.factories import CdrFactory
from tests.conferences.factories import RecordingFactory
from voipadmin.reports.presets import time_presets
from voipadmin.reports.units import duration_text, size_text

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 3, 12, 34, 56, tzinfo=datetime.UTC)
ROME = zoneinfo.ZoneInfo("Europe/Rome")


def test_presets_start_at_the_viewers_wall_clock_and_keep_the_other_filters():
    params = QueryDict("principal=alice&time_before=2026-01-01&after=CURSOR&o=-time")
    presets = {label: link for label, link, _ in time_presets(params=params, name="time", now=NOW, zone=ROME)}
    starts = {label: QueryDict(link[1:])["time_after"] for label, link in presets.items()}
    assert starts == {
        "last hour": "2026-12-03 12:34",
        "today": "2026-12-03 00:00",
        "24 hours": "2026-12-02 13:34",
        "7 days": "2026-11-26 13:34",
        "this month": "2026-12-01 00:00",
    }
    kept = QueryDict(presets["today"][1:])
    assert kept["principal"] == "alice" and kept["o"] == "-time"
    assert "time_before" not in kept and "after" not in kept


def test_a_preset_link_on_the_page_selects_its_range(operator_client, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    WebAccessFactory(principal="recent", time=NOW - datetime.timedelta(minutes=30))
    WebAccessFactory(principal="earlier", time=NOW - datetime.timedelta(hours=2))
    page = operator_client.get("/web-sessions/").content.decode()
    links = dict(
        (label, href) for href, label in re.findall(r'<a href="(\?[^"]*time_after[^"]*)"[^>]*>([^<]+)</a>', page)
    )
    assert set(links) >= {"last hour", "today", "24 hours", "7 days", "this month"}
    filtered = operator_client.get("/web-sessions/" + links["last hour"].replace("&amp;", "&")).content.decode()
    assert "recent" in filtered and "earlier" not in filtered
    assert 'class="current" aria-current="true">last hour</a>' in filtered


def test_time_filters_are_24_hour_text_inputs(operator_client):
    page = operator_client.get("/web-sessions/").content.decode()
    assert 'type="datetime-local"' not in page
    assert re.search(r'<input type="text" name="time_after" value=""[^>]*placeholder="YYYY-MM-DD HH:MM"', page)
    moment = operator_client.get("/web-sessions/", {"time_after": "2026-12-01 08:00"})
    assert moment.status_code == 200


def test_page_size_is_kept_in_links_and_capped(operator_client):
    WebAccess.objects.bulk_create(
        WebAccess(time=NOW - datetime.timedelta(seconds=n), principal=f"p{n}", outcome="login") for n in range(260)
    )
    page = operator_client.get("/web-sessions/", {"size": "100"}).content.decode()
    assert page.count("<tr data-detail=") == 100
    following = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "size=100" in following
    assert operator_client.get("/web-sessions/" + following).content.decode().count("<tr data-detail=") == 100
    assert 'href="?size=250">250</a>' in page and 'class="current" aria-current="true">100</a>' in page
    capped = operator_client.get("/web-sessions/", {"size": "100000"}).content.decode()
    assert capped.count("<tr data-detail=") == 250
    bad = operator_client.get("/web-sessions/", {"size": "many"})
    assert bad.status_code == 400 and "rows per page" in bad.content.decode()


def test_durations_read_as_hms_with_seconds_in_hover_and_csv(support_client):
    CdrFactory(duration=3725, billsec=3600)
    page = support_client.get("/cdr/").content.decode()
    assert '<td class="number" title="3,725 s" data-label="Duration">1:02:05</td>' in page
    assert '<td class="number" title="3,600 s" data-label="Billsec">1:00:00</td>' in page
    response = support_client.get("/cdr/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Duration (s)"] == "3725" and record["Billsec (s)"] == "3600"


def test_recording_sizes_in_kb_and_mb_with_bytes_in_csv(support_client):
    RecordingFactory(size=2_621_440, duration=75.0)
    page = support_client.get("/recordings/").content.decode()
    assert 'title="2,621,440 bytes" data-label="Size">2.5 MB</td>' in page
    assert 'title="75 s" data-label="Duration">0:01:15</td>' in page
    response = support_client.get("/recordings/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Size (bytes)"] == "2621440"


@pytest.mark.parametrize(
    ("size", "text"), [(0, "0 bytes"), (1023, "1023 bytes"), (1536, "1.5 KB"), (5 * 2**30, "5.0 GB")]
)
def test_size_text(size, text):
    assert size_text(size) == text


def test_duration_text():
    assert duration_text(59) == "0:00:59"
    assert duration_text(datetime.timedelta(hours=26, seconds=1)) == "26:00:01"
    assert duration_text(None) == ""
