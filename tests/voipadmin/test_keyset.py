"""Keyset pagination: every ordering walks every row exactly once, both ways, NULLs included."""

import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone

from tests.testapp.models import Probe
from tests.testapp.reports import probes
from voipadmin.reports.filters import FilterError
from voipadmin.reports.keyset import fetch_page, order_queryset, parse_ordering

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


@pytest.fixture
def rows():
    # duplicate times and values, and NULL values, to make the tie-breaker and the segments work
    objs = [
        Probe(
            event_id=f"e{n}",
            time=BASE + datetime.timedelta(minutes=n // 3),
            kind="PING" if n % 2 else "PONG",
            note=f"note {n % 5}",
            value=None if n % 4 == 0 else n % 7,
        )
        for n in range(61)
    ]
    return Probe.objects.bulk_create(objs)


def walk_forward(queryset, ordering, size):
    seen, after = [], None
    while True:
        page = fetch_page(queryset, ordering, size, after=after)
        seen.extend(row.pk for row in page.rows)
        if not page.next_cursor:
            return seen
        after = page.next_cursor


def walk_backward(queryset, ordering, size):
    page = fetch_page(queryset, ordering, size, last=True)
    seen = [row.pk for row in page.rows]
    while page.previous_cursor:
        page = fetch_page(queryset, ordering, size, before=page.previous_cursor)
        seen = [row.pk for row in page.rows] + seen
    return seen


@pytest.mark.parametrize("order", ["-time", "time", "value", "-value", "kind", "-kind", "note", "-note"])
@pytest.mark.parametrize("size", [1, 7, 50])
def test_every_row_once_in_the_database_order(rows, order, size):
    ordering = parse_ordering(order, probes.sortable_fields(), probes.default_order)
    queryset = Probe.objects.all()
    expected = list(order_queryset(queryset, ordering).values_list("pk", flat=True))
    assert walk_forward(queryset, ordering, size) == expected
    assert walk_backward(queryset, ordering, size) == expected


def test_nulls_last_ascending_and_first_descending(rows):
    ascending = walk_forward(Probe.objects.all(), parse_ordering("value", ["value"], "value"), 10)
    descending = walk_forward(Probe.objects.all(), parse_ordering("-value", ["value"], "value"), 10)
    values = dict(Probe.objects.values_list("pk", "value"))
    assert [values[pk] for pk in ascending][-1] is None
    assert values[ascending[0]] == 0
    assert values[descending[0]] is None
    assert values[descending[-1]] == 0


def test_last_page_is_the_tail(rows):
    ordering = parse_ordering("-time", ["time"], "-time")
    page = fetch_page(Probe.objects.all(), ordering, 10, last=True)
    expected = list(order_queryset(Probe.objects.all(), ordering).values_list("pk", flat=True))[-10:]
    assert [row.pk for row in page.rows] == expected
    assert page.next_cursor is None
    assert page.previous_cursor is not None


def test_empty_selection_has_no_links(db):
    page = fetch_page(Probe.objects.all(), parse_ordering(None, ["time"], "-time"), 10)
    assert page.rows == [] and page.next_cursor is None and page.previous_cursor is None


def test_damaged_cursor_is_a_named_error(rows):
    ordering = parse_ordering("-time", ["time"], "-time")
    with pytest.raises(FilterError) as caught:
        fetch_page(Probe.objects.all(), ordering, 10, after="not-a-cursor!")
    assert "after" in caught.value.errors


def test_cursor_of_another_order_is_refused(rows):
    first = fetch_page(Probe.objects.all(), parse_ordering("kind", ["kind", "time"], "-time"), 5)
    with pytest.raises(FilterError) as caught:
        fetch_page(Probe.objects.all(), parse_ordering("-time", ["kind", "time"], "-time"), 5, after=first.next_cursor)
    assert "another sort order" in str(caught.value)


def test_unknown_sort_column_is_refused():
    with pytest.raises(FilterError) as caught:
        parse_ordering("password", ["time", "kind"], "-time")
    assert "o" in caught.value.errors


def test_cursor_survives_microseconds_and_zones(db):
    moment = timezone.now().replace(microsecond=123456)
    Probe.objects.bulk_create([Probe(event_id=f"z{n}", time=moment, kind="PING") for n in range(5)])
    ordering = parse_ordering("-time", ["time"], "-time")
    assert len(walk_forward(Probe.objects.all(), ordering, 2)) == 5


def test_filter_then_paginate_through_the_report(rows):
    from voipadmin.reports.filters import select

    selection = select(probes, QueryDict("kind=PING&value_min=3"))
    ordering = parse_ordering("value", probes.sortable_fields(), probes.default_order)
    seen = walk_forward(selection.queryset, ordering, 4)
    assert seen == list(
        Probe.objects.filter(kind="PING", value__gte=3).order_by("value", "id").values_list("pk", flat=True)
    )


def test_a_duration_column_pages_both_ways(db):
    """Cursors carry intervals (ISO 8601 durations) as well as times and numbers; NULLs included."""
    from conferences.models import ConferenceSession
    from tests.conferences.factories import SessionFactory

    start = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    for n in range(9):
        SessionFactory(started_at=start, ended_at=None if n % 4 == 0 else start + datetime.timedelta(minutes=n % 3))
    ordering = parse_ordering("-duration", ["duration"], "-duration")
    queryset = ConferenceSession.objects.all()
    expected = list(order_queryset(queryset, ordering).values_list("pk", flat=True))
    assert walk_forward(queryset, ordering, 2) == expected
    assert walk_backward(queryset, ordering, 2) == expected


@pytest.mark.parametrize(
    ("order", "value", "pk"),
    [
        ("ip", "zzz", 1),  # not an address: PostgreSQL's inet would refuse it
        ("principal", "a\u0000b", 1),  # a NUL byte: refused by PostgreSQL's text
        ("-time", "2026-11-01T10:00:00+00:00", 10**30),  # an id beyond bigint
        ("principal", "x" * 500, 1),  # longer than the column
    ],
)
def test_a_forged_page_link_is_a_clear_error_not_a_database_error(operator_client, order, value, pk):
    import base64
    import json

    token = base64.urlsafe_b64encode(json.dumps([order, value, pk]).encode()).decode().rstrip("=")
    for url in (f"/web-sessions/?o={order}&after={token}", f"/api/v1/web-sessions/?o={order}&after={token}"):
        response = operator_client.get(url)
        assert response.status_code == 400, url
        assert b"page link is damaged" in response.content


def test_a_deeply_nested_page_link_is_a_clear_error(operator_client):
    import base64

    token = base64.urlsafe_b64encode(b"[" * 100_000).decode().rstrip("=")
    assert operator_client.get(f"/web-sessions/?after={token}").status_code == 400
