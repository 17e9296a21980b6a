"""The CDR chart: the same selection as the list (and its CSV), stacked by disposition, ASR and ACD."""

import csv
import datetime
import io

import pytest

from cdr.models import Cdr
from tests.cdr.factories import T0, CdrFactory
from voipadmin.models import Preference

pytestmark = pytest.mark.django_db

DAY = "start_after=2026-11-10T00:00:00%2B00:00&start_before=2026-11-10T23:59:59%2B00:00"


def at(minutes: int) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


@pytest.fixture
def calls():
    made = []
    # 09:00-10:59 on 10 Nov: 6 answered (billsec 60..110), 3 busy, 2 no answer, 1 failed; one call the next day.
    for n in range(6):
        made.append(CdrFactory(start=at(7 * n), duration=200, billsec=60 + 10 * n))
    for n in range(3):
        made.append(CdrFactory(start=at(50 + n), disposition="BUSY", duration=2, billsec=0, answer=None))
    for n in range(2):
        made.append(CdrFactory(start=at(70 + n), disposition="NO_ANSWER", duration=20, billsec=0, answer=None))
    made.append(CdrFactory(start=at(119), disposition="FAILED", duration=1, billsec=0, answer=None, src="0044"))
    made.append(CdrFactory(start=at(60 * 24), disposition="FAILED", duration=1, billsec=0, answer=None))
    return made


def csv_rows(client, query: str) -> list[dict]:
    body = b"".join(client.get(f"/cdr/export.csv?{query}").streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_chart_totals_equal_the_filtered_csv(support_client, calls):
    for query in (DAY, f"{DAY}&disposition=BUSY&disposition=FAILED", "src=0044", ""):
        chart = support_client.get(f"/cdr/chart.json?{query}").json()
        exported = csv_rows(support_client, query)
        assert chart["total"] == len(exported), query
        by_disposition = {}
        for row in exported:
            by_disposition[row["Disposition"]] = by_disposition.get(row["Disposition"], 0) + 1
        charted = {}
        for bucket in chart["buckets"]:
            for key, count in bucket["counts"].items():
                charted[key] = charted.get(key, 0) + count
        assert charted == by_disposition, query


def test_day_in_minutes_buckets_with_asr_and_acd(operator_client, calls):
    chart = operator_client.get(f"/cdr/chart.json?{DAY}").json()
    # a whole day: 10-minute intervals (144 bars), the first at the day's midnight
    assert chart["step_seconds"] == 600
    assert len(chart["buckets"]) == 144
    assert chart["buckets"][0]["start"] == "2026-11-10T00:00:00+00:00"
    nine = {bucket["start"][11:16]: bucket["counts"] for bucket in chart["buckets"] if bucket["total"]}
    assert nine == {
        "09:00": {"ANSWERED": 2},  # minutes 0, 7
        "09:10": {"ANSWERED": 1},  # 14
        "09:20": {"ANSWERED": 2},  # 21, 28
        "09:30": {"ANSWERED": 1},  # 35
        "09:50": {"BUSY": 3},
        "10:10": {"NO_ANSWER": 2},
        "10:50": {"FAILED": 1},
    }
    # ASR: 6 answered of 12; ACD: mean billsec of the answered, (60 + ... + 110) / 6 = 85
    assert chart["figures"] == {"ASR": "50.0 %", "ACD": "85.0 s"}


def test_the_fragment_shows_the_numbers_a_legend_and_hovers(operator_client, calls):
    page = operator_client.get(f"/cdr/chart/?{DAY}").content.decode()
    assert 'data-chart-total="12"' in page
    assert 'data-figure="ASR">50.0 %<' in page and 'data-figure="ACD">85.0 s<' in page
    assert "Answered: 6" in page and "Busy: 3" in page and "No answer: 2" in page and "Failed: 1" in page
    assert "<title>2026-11-10 09:50 to 10:00 — Answered: 0, No answer: 0, Busy: 3, Failed: 0; total 3</title>" in page
    assert "<td>2026-11-10 10:10 to 10:20</td><td>0</td><td>2</td><td>0</td><td>0</td><td>2</td>" in page
    svg = operator_client.get(f"/cdr/chart.svg?{DAY}")
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert svg.content.startswith(b"<svg") and b"<pattern" in svg.content
    assert b"style=" not in svg.content  # a strict CSP blocks style attributes


def test_the_list_page_has_a_collapsible_chart_of_its_own_filters(operator_client, calls):
    page = operator_client.get("/cdr/?disposition=BUSY").content.decode()
    assert '<details class="chart-slot" open>' in page
    assert 'data-load="/cdr/chart/?disposition=BUSY"' in page
    assert page.index("chart-slot") < page.index('<table class="report"')


def test_buckets_begin_at_the_viewers_midnight(operator_client, operator, calls):
    Preference.objects.create(user=operator, time_zone="Europe/Rome")
    chart = operator_client.get("/cdr/chart.json?start_after=2026-11-01T00:00&start_before=2026-11-30T23:59").json()
    assert chart["step_seconds"] == 21600  # a month: 6-hour bars (120)
    assert chart["buckets"][0]["start"] == "2026-10-31T23:00:00+00:00"  # midnight in Rome
    assert chart["total"] == Cdr.objects.count()


def test_a_bad_filter_is_a_400_and_an_empty_selection_has_no_bars(operator_client, calls):
    response = operator_client.get("/cdr/chart.json?disposition=MAYBE")
    assert response.status_code == 400 and b"disposition" in response.content
    empty = operator_client.get("/cdr/chart.json?src=nobody").json()
    assert empty["total"] == 0 and empty["buckets"] == []
    assert b"No rows in this selection" in operator_client.get("/cdr/chart/?src=nobody").content
