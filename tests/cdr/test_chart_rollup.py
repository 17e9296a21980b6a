"""The CDR chart read from the rollup equals the chart counted from the rows and the list's own
selection, bucket by bucket, in zones of whole, half and three-quarter hours and across DST; a
filter the rollup does not hold counts the rows."""

import dataclasses
import datetime
import random
import zoneinfo

import pytest
from django.db import connection
from django.http import QueryDict

from cdr.models import Cdr
from cdr.reports import CALLS_CHART, cdr_report
from cdr.rollup_chart import rollup_counts
from tests.cdr.factories import CdrFactory
from voipadmin.partitions import ensure_partitions
from voipadmin.reports.charts import bucket_edges, chart_data, step_for
from voipadmin.reports.filters import select

pytestmark = pytest.mark.django_db
ROWS_ONLY = dataclasses.replace(CALLS_CHART, summary=None)
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"]
# October 2026 with edges inside quarter hours (Berlin leaves summer time on the 25th, New York on 1 Nov)
RANGE = "start_after=2026-10-03T07:07:13%2B00:00&start_before=2026-11-01T22:52:00%2B00:00"
ROLLED_UP = [RANGE, f"{RANGE}&disposition=BUSY&disposition=FAILED", "", "disposition=NO_ANSWER"]
ROWS_COUNTED = [f"{RANGE}&src=0044", f"{RANGE}&q=PJSIP", f"{RANGE}&billsec_min=30"]


@pytest.fixture
def month_of_calls():
    rng = random.Random(18)
    start = datetime.datetime(2026, 10, 3, 7, 7, 13, tzinfo=datetime.UTC)
    ensure_partitions(Cdr, start, start + datetime.timedelta(days=31))
    moments = [
        start,
        start + datetime.timedelta(seconds=1),
        datetime.datetime(2026, 11, 1, 22, 52, tzinfo=datetime.UTC),
    ]
    moments += [start + datetime.timedelta(seconds=rng.randrange(30 * 86400)) for _ in range(400)]
    moments += [start - datetime.timedelta(hours=3), datetime.datetime(2026, 11, 1, 22, 52, 1, tzinfo=datetime.UTC)]
    calls = []
    for moment in moments:
        disposition = rng.choice(["ANSWERED", "ANSWERED", "NO_ANSWER", "BUSY", "FAILED"])
        billsec = rng.randrange(1, 300) if disposition == "ANSWERED" else 0
        calls.append(
            CdrFactory.build(
                start=moment,
                disposition=disposition,
                billsec=billsec,
                duration=billsec + 5,
                src=rng.choice(["100", "0044"]),
            )
        )
    Cdr.objects.bulk_create(calls)


def listed(query: str, bucket) -> dict:
    """Calls and billsec per disposition of the list's selection within one bucket."""
    rows = select(cdr_report, QueryDict(query)).queryset.filter(start__gte=bucket.start, start__lt=bucket.stop)
    counts, totals = {}, {}
    for disposition, billsec in rows.values_list("disposition", "billsec"):
        counts[disposition] = counts.get(disposition, 0) + 1
        totals[disposition] = totals.get(disposition, 0) + billsec
    return counts, totals


def chart_of(chart, query: str, zone: str):
    return chart_data(chart=chart, selection=select(cdr_report, QueryDict(query)), zone=zoneinfo.ZoneInfo(zone))


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("query", ROLLED_UP + ROWS_COUNTED)
def test_the_chart_equals_the_lists_selection_bucket_by_bucket(month_of_calls, query, zone):
    charted = chart_of(CALLS_CHART, query, zone)
    counted = chart_of(ROWS_ONLY, query, zone)
    assert charted.step == counted.step >= 10800
    assert [(bucket.start, bucket.stop) for bucket in charted.buckets] == [
        (bucket.start, bucket.stop) for bucket in counted.buckets
    ]
    for mine, theirs in zip(charted.buckets, counted.buckets, strict=True):
        counts, totals = listed(query, mine)
        assert mine.counts == theirs.counts == counts, (mine.start, query)
        assert {key: value for key, value in mine.totals.items() if mine.counts.get(key)} == totals
    assert charted.total == select(cdr_report, QueryDict(query)).queryset.count() > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the rollup is PostgreSQL's")
def test_which_selections_the_rollup_answers(month_of_calls):
    def answers(query: str, zone: str = "Asia/Kathmandu") -> bool:
        selection = select(cdr_report, QueryDict(query))
        data = chart_of(ROWS_ONLY, query, zone)
        edges = [bucket.start for bucket in data.buckets] + [data.buckets[-1].stop]
        return rollup_counts(selection, edges, data.start, data.stop) is not None

    assert all(answers(query) for query in ROLLED_UP)
    assert not any(answers(query) for query in ROWS_COUNTED)
    # a day has 10-minute bars: not sums of quarter hours, so the rows are counted
    assert not answers("start_after=2026-10-10T00:00:00%2B00:00&start_before=2026-10-10T23:59:59%2B00:00")


def test_a_zone_of_odd_minutes_is_counted_from_the_rows():
    """Edges that are not quarter hours (Amsterdam's mean time of 1890, +0:19:32): no sums fit them."""
    zone = zoneinfo.ZoneInfo("Europe/Amsterdam")
    start = datetime.datetime(1890, 3, 1, tzinfo=datetime.UTC)
    stop = start + datetime.timedelta(days=30)
    edges = bucket_edges(start, stop, step_for(stop - start), zone)
    assert any(edge.timestamp() % 900 for edge in edges)
    assert rollup_counts(select(cdr_report, QueryDict("")), edges, start, stop) is None
