"""Chart buckets on the viewer's clock across DST: a 23- or 25-hour day is one bucket, an hour
the clock repeats is two buckets and one it skips none, in whole, half-hour and DST zones."""

import datetime
import itertools
import zoneinfo

import pytest

from cdr.models import Cdr
from tests.cdr.factories import CdrFactory
from voipadmin.models import Preference
from voipadmin.partitions import ensure_partitions
from voipadmin.reports.charts import bucket_edges

HOUR = datetime.timedelta(hours=1)
BERLIN, NEW_YORK, KOLKATA = (zoneinfo.ZoneInfo(name) for name in ("Europe/Berlin", "America/New_York", "Asia/Kolkata"))


def local(zone, *parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=zone)


def lengths(edges) -> list[datetime.timedelta]:
    return [stop - start for start, stop in itertools.pairwise(edges)]


def test_days_begin_at_each_local_midnight_and_a_dst_day_is_one_bucket():
    edges = bucket_edges(local(BERLIN, 2026, 10, 23, 5), local(BERLIN, 2026, 10, 27, 5), 86400, BERLIN)
    assert [edge.astimezone(BERLIN).strftime("%d %H:%M") for edge in edges] == [
        "23 00:00", "24 00:00", "25 00:00", "26 00:00", "27 00:00", "28 00:00",
    ]  # fmt: skip
    assert lengths(edges) == [24 * HOUR, 24 * HOUR, 25 * HOUR, 24 * HOUR, 24 * HOUR]
    spring = bucket_edges(local(NEW_YORK, 2026, 3, 7, 12), local(NEW_YORK, 2026, 3, 9, 12), 86400, NEW_YORK)
    assert lengths(spring) == [24 * HOUR, 23 * HOUR, 24 * HOUR]
    india = bucket_edges(local(KOLKATA, 2026, 3, 7, 12), local(KOLKATA, 2026, 3, 8, 12), 86400, KOLKATA)
    assert [edge.isoformat() for edge in india] == [
        "2026-03-06T18:30:00+00:00", "2026-03-07T18:30:00+00:00", "2026-03-08T18:30:00+00:00",
    ]  # fmt: skip


def test_weeks_begin_on_monday_and_6_hour_bars_keep_to_the_local_clock():
    weeks = bucket_edges(local(BERLIN, 2026, 10, 14), local(BERLIN, 2026, 10, 30), 7 * 86400, BERLIN)
    assert [edge.astimezone(BERLIN).strftime("%a %d") for edge in weeks] == ["Mon 12", "Mon 19", "Mon 26", "Mon 02"]
    assert lengths(weeks)[1] == 7 * 24 * HOUR + HOUR
    bars = bucket_edges(local(BERLIN, 2026, 10, 24, 19), local(BERLIN, 2026, 10, 25, 13), 21600, BERLIN)
    assert [edge.astimezone(BERLIN).strftime("%d %H") for edge in bars] == ["24 18", "25 00", "25 06", "25 12", "25 18"]
    assert lengths(bars) == [6 * HOUR, 7 * HOUR, 6 * HOUR, 6 * HOUR]


def test_hours_across_both_changes_are_never_doubled_nor_lost():
    autumn = bucket_edges(local(BERLIN, 2026, 10, 25), local(BERLIN, 2026, 10, 25, 23, 59), 3600, BERLIN)
    assert len(autumn) - 1 == 25 and set(lengths(autumn)) == {HOUR}
    walls = [edge.astimezone(BERLIN).strftime("%H %Z") for edge in autumn]
    assert walls[:5] == ["00 CEST", "01 CEST", "02 CEST", "02 CET", "03 CET"]
    spring = bucket_edges(local(NEW_YORK, 2026, 3, 8), local(NEW_YORK, 2026, 3, 8, 23, 59), 3600, NEW_YORK)
    assert len(spring) - 1 == 23 and set(lengths(spring)) == {HOUR}
    assert "02" not in [edge.astimezone(NEW_YORK).strftime("%H") for edge in spring[:-1]]
    half = bucket_edges(local(KOLKATA, 2026, 3, 8, 10, 40), local(KOLKATA, 2026, 3, 8, 13, 10), 3600, KOLKATA)
    assert [edge.strftime("%H:%M") for edge in half] == ["04:30", "05:30", "06:30", "07:30", "08:30"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [("Europe/Berlin", "2026-10-25", 25), ("America/New_York", "2026-03-08", 23), ("Asia/Kolkata", "2026-03-08", 24)],
)
def test_the_chart_of_a_viewer_in_a_dst_zone_counts_each_local_day_once(operator_client, operator, zone, day, hours):
    """One call every UTC hour for 90 days (daily bars): the DST day's bar holds its 23 or 25 calls."""
    Preference.objects.create(user=operator, time_zone=zone)
    middle = datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC)
    first = middle - datetime.timedelta(days=45)
    ensure_partitions(Cdr, first, first + datetime.timedelta(days=91))
    Cdr.objects.bulk_create([CdrFactory.build(start=first + n * HOUR) for n in range(90 * 24)])
    last = first + datetime.timedelta(days=90)
    query = f"start_after={first:%Y-%m-%dT%H:%M}%2B00:00&start_before={last:%Y-%m-%dT%H:%M}%2B00:00"
    chart = operator_client.get(f"/cdr/chart.json?{query}").json()
    assert chart["step_seconds"] == 86400
    by_day = {bucket["start"]: bucket["total"] for bucket in chart["buckets"]}
    starts = [datetime.datetime.fromisoformat(start).astimezone(zoneinfo.ZoneInfo(zone)) for start in by_day]
    assert {moment.strftime("%H:%M") for moment in starts} == {"00:00"}  # every bar at a local midnight
    dst_day = next(start for start, moment in zip(by_day, starts, strict=True) if moment.strftime("%Y-%m-%d") == day)
    assert by_day[dst_day] == hours
    assert sum(by_day.values()) == chart["total"] == Cdr.objects.filter(start__lte=last).count()


@pytest.mark.django_db
def test_the_numbers_name_the_repeated_hour_by_its_zone(operator_client, operator):
    Preference.objects.create(user=operator, time_zone="Europe/Berlin")
    start = datetime.datetime(2026, 10, 23, 22, tzinfo=datetime.UTC)
    ensure_partitions(Cdr, start, start)
    Cdr.objects.bulk_create([CdrFactory.build(start=start + n * datetime.timedelta(minutes=15)) for n in range(4 * 96)])
    query = f"start_after={start:%Y-%m-%dT%H:%M}%2B00:00&start_before={start + 96 * HOUR:%Y-%m-%dT%H:%M}%2B00:00"
    chart = operator_client.get(f"/cdr/chart.json?{query}").json()
    assert chart["step_seconds"] == 3600
    assert {bucket["total"] for bucket in chart["buckets"][:-1]} == {4}  # four calls an hour, every hour
    page = operator_client.get(f"/cdr/chart/?{query}").content.decode()
    assert "2026-10-25 02:00 CEST to 02:00 CET" in page and "2026-10-25 02:00 CET to 03:00" in page
