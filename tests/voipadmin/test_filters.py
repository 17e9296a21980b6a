"""The filter half of the machine: every listed field, quick search, and refusal of bad input."""

import datetime

import pytest
from django.http import QueryDict

from tests.testapp.models import Probe
from tests.testapp.reports import probes
from voipadmin.reports.filters import FilterError, select, validated_filterset

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def rows():
    return Probe.objects.bulk_create(
        [
            Probe(event_id="a1", time=BASE, kind="PING", note="Webclient guest from Firefox", value=1),
            Probe(event_id="a2", time=BASE + datetime.timedelta(hours=1), kind="PONG", note="webclient user", value=5),
            Probe(
                event_id="a3", time=BASE + datetime.timedelta(hours=2), kind="KEEP", note="desktop GUEST", value=None
            ),
            Probe(
                event_id="a4", time=BASE + datetime.timedelta(days=2), kind="PING", note="mobile", value=9, flag=True
            ),
        ]
    )


def ids(query: str) -> set[str]:
    return set(select(probes, QueryDict(query)).queryset.values_list("event_id", flat=True))


def test_multi_select_enumeration(rows):
    assert ids("kind=PING&kind=KEEP") == {"a1", "a3", "a4"}


def test_time_range_is_inclusive_and_in_the_viewers_zone(rows, settings):
    from django.utils import timezone

    with timezone.override("Europe/Rome"):  # 13:00 in Rome is 12:00 UTC in November
        assert ids("time_after=2026-11-01T13:00&time_before=2026-11-01T14:00") == {"a1", "a2"}
    assert ids("time_after=2026-11-01T12:00:00%2B00:00&time_before=2026-11-01T12:00:00%2B00:00") == {"a1"}


def test_number_range_and_text_contains_and_boolean(rows):
    assert ids("value_min=2&value_max=9") == {"a2", "a4"}
    assert ids("note=WEBCLIENT") == {"a1", "a2"}
    assert ids("flag=true") == {"a4"}


def test_quick_search_ands_words_over_all_columns_case_insensitively(rows):
    assert ids("q=webclient guest") == {"a1"}
    assert ids("q=guest") == {"a1", "a3"}
    assert ids("q=KEEP") == {"a3"}
    assert ids("q=9") == {"a4"}  # a number column matches too


def test_unknown_parameter_is_named():
    with pytest.raises(FilterError) as caught:
        select(probes, QueryDict("kinf=PING"))
    assert caught.value.errors == {"kinf": ["'kinf' is not a filter of this report."]}


@pytest.mark.parametrize(
    ("query", "field"),
    [("time_after=yesterday", "time"), ("kind=PANG", "kind"), ("value_min=ten", "value"), ("flag=perhaps", "flag")],
)
def test_unparsable_value_is_named_not_ignored(query, field):
    with pytest.raises(FilterError) as caught:
        select(probes, QueryDict(query))
    assert field in caught.value.errors


def test_active_filters_describe_the_selection(rows):
    selection = select(probes, QueryDict("kind=PING&kind=PONG&note=web"))
    assert selection.active_filters() == [("Kind", "Ping, Pong"), ("Note contains", "web")]
    assert select(probes, QueryDict("o=-time")).active_filters() == []


def test_a_page_that_is_not_a_report_validates_its_query_the_same_way(rows):
    """validated_filterset: a FilterSet class and a queryset, plus parameters the page reads itself."""
    filterset = validated_filterset(
        probes.filterset, QueryDict("kind=PING&since=42"), Probe.objects.all(), extra_parameters={"since"}
    )
    assert set(filterset.qs.values_list("event_id", flat=True)) == {"a1", "a4"}
    with pytest.raises(FilterError) as refused:
        validated_filterset(probes.filterset, QueryDict("kind=NOPE&since=42"), Probe.objects.all())
    assert set(refused.value.errors) == {"kind", "since"}


def test_a_nul_in_any_value_is_named_before_the_filterset_reads_anything(rows):
    """PostgreSQL cannot hold a NUL in text: a filter, the quick search and the machine's own
    parameters all refuse it with the parameter's name, for every report."""
    with pytest.raises(FilterError) as caught:
        select(probes, QueryDict("kind=PI%00NG&note=web%00&q=%00&o=ti%00me&value_min=1"))
    assert caught.value.errors == {name: ["Null characters are not allowed."] for name in ("kind", "note", "o", "q")}
