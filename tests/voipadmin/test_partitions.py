"""Monthly partitions: rows land in their month, stragglers move in, retention drops whole months."""

import datetime

import pytest
from django.db import connection

from audit.models import ServerEvent
from tests.testapp.models import Probe
from voipadmin.partitions import (
    drop_months_before,
    ensure_partitions,
    ensure_partitions_for,
    forget_known_partitions,
    partitions,
)
from voipadmin.retention import partitions_ahead, retention_apply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    forget_known_partitions()
    yield
    forget_known_partitions()


def at(year, month, day=1):
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


def where(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM testapp_probe WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_table_is_partitioned_with_a_default():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'testapp_probe'")
        assert cursor.fetchone()[0] == "p"
    assert [name for name, _ in partitions(Probe)] == ["testapp_probe_default"]


def test_rows_go_to_their_month_and_stragglers_move_in():
    straggler = Probe.objects.create(event_id="s", time=at(2026, 3, 5), kind="PING")
    assert where(straggler.pk) == "testapp_probe_default"
    assert ensure_partitions_for(Probe, [at(2026, 3, 31), at(2026, 4, 1)]) == 2
    assert where(straggler.pk) == "testapp_probe_p202603"
    fresh = Probe.objects.create(event_id="f", time=at(2026, 4, 30), kind="PING")
    assert where(fresh.pk) == "testapp_probe_p202604"
    assert ensure_partitions_for(Probe, [at(2026, 4, 2)]) == 0  # already there


def test_month_bounds_are_utc():
    ensure_partitions(Probe, at(2026, 5), at(2026, 6))
    last_moment = Probe.objects.create(
        event_id="l", time=datetime.datetime(2026, 5, 31, 23, 59, 59, tzinfo=datetime.UTC), kind="PING"
    )
    first_moment = Probe.objects.create(
        event_id="m", time=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC), kind="PING"
    )
    assert where(last_moment.pk) == "testapp_probe_p202605"
    assert where(first_moment.pk) == "testapp_probe_p202606"


def test_drop_months_before_keeps_the_cutoff_month():
    ensure_partitions(Probe, at(2026, 1), at(2026, 3))
    Probe.objects.bulk_create(
        [Probe(event_id=f"r{m}{n}", time=at(2026, m, n + 1), kind="PING") for m in (1, 2, 3) for n in range(4)]
    )
    dropped = drop_months_before(Probe, at(2026, 3, 15))
    assert dropped == [("testapp_probe_p202601", 4), ("testapp_probe_p202602", 4)]
    assert Probe.objects.count() == 4
    assert [name for name, _ in partitions(Probe)] == ["testapp_probe_default", "testapp_probe_p202603"]


def test_retention_drops_months_trims_the_rest_and_records_it(settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "testapp.Probe": 40}
    now = at(2026, 3, 20)
    ensure_partitions(Probe, at(2026, 1), at(2026, 3))
    Probe.objects.bulk_create(
        [
            Probe(event_id="jan", time=at(2026, 1, 10), kind="PING"),
            Probe(event_id="feb-old", time=at(2026, 2, 5), kind="PING"),
            Probe(event_id="feb-new", time=at(2026, 2, 20), kind="PING"),
            Probe(event_id="mar", time=at(2026, 3, 1), kind="PING"),
            Probe(event_id="ancient", time=at(2020, 1, 1), kind="PING"),  # in the default partition
        ]
    )
    removed = retention_apply(now=now)
    assert removed == {"testapp.Probe": 3}
    assert set(Probe.objects.values_list("event_id", flat=True)) == {"feb-new", "mar"}
    event = ServerEvent.objects.get(event_type="delete_events")
    assert event.deleted_count == 3 and "retention" in event.description


def test_partitions_ahead_creates_the_coming_months():
    created = partitions_ahead(months=2)
    assert created["testapp.Probe"] >= 2
    assert partitions_ahead(months=2)["testapp.Probe"] == 0


def test_maintenance_task_runs_through_celery():
    from voipadmin.tasks import maintain_partitions

    result = maintain_partitions.delay().get()
    assert "testapp.Probe" in result["created"]


def test_delete_by_key_removes_exactly_the_named_rows():
    from registrations.models import Account
    from voipadmin.partitions import can_delete_by_key, delete_by_key, key_fields

    ensure_partitions(Probe, at(2026, 1), at(2026, 3))
    made = Probe.objects.bulk_create(
        [Probe(event_id=f"e{n}", time=at(2026, 1 + n % 3, 1 + n), kind="PING") for n in range(9)]
    )
    doomed = list(Probe.objects.filter(event_id__in=["e1", "e2", "e6"]).values_list(*key_fields(Probe)))
    wrong_month = (made[0].pk, at(2026, 3, 1))  # an id with another row's month names nothing
    assert can_delete_by_key(Probe)
    assert delete_by_key(Probe, [*doomed, wrong_month]) == 3
    assert sorted(Probe.objects.values_list("event_id", flat=True)) == ["e0", "e3", "e4", "e5", "e7", "e8"]
    assert delete_by_key(Probe, []) == 0
    assert not can_delete_by_key(Account)  # not partitioned (and audited: Django deletes it row by row)


def test_the_first_and_last_months_of_the_calendar_are_partitions_open_at_their_ends():
    """No month arithmetic overflows: December 9999 reaches up to infinity, January of year 1 down."""
    from voipadmin.partitions import delete_by_key, key_fields

    past_9999 = datetime.datetime(9999, 12, 31, 23, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    before_1 = datetime.datetime(1, 1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=5)))
    last = datetime.datetime(9999, 12, 31, 23, 59, tzinfo=datetime.UTC)
    assert ensure_partitions_for(Probe, [last, past_9999, before_1]) == 2
    assert ensure_partitions(Probe, at(9999, 11), last) == 1  # stops after December 9999
    first = datetime.datetime(1, 1, 1, 12, tzinfo=datetime.UTC)
    rows = [Probe.objects.create(event_id=f"e{n}", time=moment, kind="PING") for n, moment in enumerate([last, first])]
    assert [where(row.pk) for row in rows] == ["testapp_probe_p999912", "testapp_probe_p000101"]
    assert drop_months_before(Probe, at(2026, 1)) == [("testapp_probe_p000101", 1)]
    assert delete_by_key(Probe, Probe.objects.values_list(*key_fields(Probe))) == 1
    assert not Probe.objects.exists()
