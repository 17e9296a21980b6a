"""copy_insert_new: the ingest paths' COPY-staged INSERT ... ON CONFLICT DO NOTHING."""

import datetime

import pytest
from django.db import connection, transaction

from tests.testapp.models import Probe
from voipadmin.bulk import copy_insert_new, copy_new
from voipadmin.partitions import ensure_partitions_for

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 1, 9, 30, tzinfo=datetime.UTC)


def test_new_rows_are_stored_and_repeats_counted_out():
    ensure_partitions_for(Probe, [T0])
    Probe.objects.create(event_id="old", time=T0, kind="PING")
    rows = [
        {"event_id": "old", "time": T0, "kind": "PONG"},
        {"event_id": "a", "time": T0, "kind": "PING", "note": 'tab\there, quote " and \\ backslash', "value": 7},
        {"event_id": "b", "time": T0 + datetime.timedelta(days=40), "kind": "PONG", "value": None},
        {"event_id": "a", "time": T0, "kind": "PONG"},  # twice in one batch: once
    ]
    ensure_partitions_for(Probe, [row["time"] for row in rows])
    assert copy_insert_new(Probe, rows) == 2
    stored = {probe.event_id: probe for probe in Probe.objects.all()}
    assert sorted(stored) == ["a", "b", "old"]
    assert stored["old"].kind == "PING"  # a repeat changes nothing
    assert (stored["a"].note, stored["a"].value, stored["a"].flag) == ('tab\there, quote " and \\ backslash', 7, False)
    assert stored["b"].time == T0 + datetime.timedelta(days=40) and stored["b"].value is None
    assert copy_insert_new(Probe, rows) == 0


def test_twice_in_one_transaction_and_nothing_left_behind():
    ensure_partitions_for(Probe, [T0])
    with transaction.atomic():
        assert copy_insert_new(Probe, [{"event_id": "x", "time": T0, "kind": "PING"}]) == 1
        assert copy_insert_new(Probe, [{"event_id": "y", "time": T0, "kind": "PING"}]) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp.testapp_probe_stage')")
        assert cursor.fetchone()[0] is None
    assert copy_insert_new(Probe, []) == 0
    assert Probe.objects.count() == 2


def test_copy_new_stores_the_probed_rows_by_copy_and_returns_them():
    ensure_partitions_for(Probe, [T0])
    rows = [{"event_id": f"n{n}", "time": T0, "kind": "PING", "value": n} for n in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relpersistence = 't'")
        temp_tables = cursor.fetchone()[0]
        assert copy_new(Probe, rows, key=("event_id", "time")) == rows
        cursor.execute("SELECT count(*) FROM pg_class WHERE relpersistence = 't'")
        assert cursor.fetchone()[0] == temp_tables  # no stage table made
    assert sorted(Probe.objects.values_list("event_id", "value", "flag")) == [
        ("n0", 0, False),
        ("n1", 1, False),
        ("n2", 2, False),
    ]
    assert copy_new(Probe, [], key=("event_id", "time")) == []


def test_copy_new_of_a_row_stored_since_the_probe_stores_the_others_once():
    """Another transaction committed one of the rows between the caller's probe and its COPY: the
    unique constraint refuses the COPY, and the rows go the ON CONFLICT way, in the same transaction."""
    ensure_partitions_for(Probe, [T0])
    Probe.objects.create(event_id="raced", time=T0, kind="PONG")
    rows = [
        {"event_id": "fresh", "time": T0, "kind": "PING"},
        {"event_id": "raced", "time": T0, "kind": "PING"},
        {"event_id": "later", "time": T0 + datetime.timedelta(days=40), "kind": "PING"},
    ]
    ensure_partitions_for(Probe, [row["time"] for row in rows])
    with transaction.atomic():
        stored = copy_new(Probe, rows, key=("event_id", "time"))
        assert [row["event_id"] for row in stored] == ["fresh", "later"]
    assert sorted(Probe.objects.values_list("event_id", "kind")) == [
        ("fresh", "PING"),
        ("later", "PING"),
        ("raced", "PONG"),
    ]


def test_copy_new_refusals_other_than_a_repeat_are_raised():
    from django.db import DataError

    ensure_partitions_for(Probe, [T0])
    with pytest.raises(DataError), transaction.atomic():
        copy_new(Probe, [{"event_id": "big", "time": T0, "kind": "PING", "value": 2**40}], key=("event_id", "time"))
    assert not Probe.objects.exists()
