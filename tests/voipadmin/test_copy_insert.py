"""copy_insert_new: the ingest paths' COPY-staged INSERT ... ON CONFLICT DO NOTHING."""

import datetime

import pytest
from django.db import connection, transaction

from tests.testapp.models import Probe
from voipadmin.bulk import copy_insert_new
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
