"""The beat's VACUUM of the SIP event partitions (autovacuum may be off, as on the benchmark host):
the old row versions reconciliation leaves are removed, on the real PostgreSQL."""

import datetime

import pytest
from django.conf import settings
from django.db import connection

from sip_sessions.models import SipEvent
from sip_sessions.reconcile import reconcile
from sip_sessions.statistics import vacuum_dead_partitions
from sip_sessions.tasks import vacuum_events
from tests.registrations.factories import T0, AccountFactory, BindingFactory
from tests.sip_sessions.factories import SipEventFactory
from voipadmin.partitions import ensure_month, forget_known_partitions, partition_name

pytestmark = pytest.mark.django_db(transaction=True)

MONTH = datetime.date(T0.year, T0.month, 1)
PARTITION = partition_name(SipEvent._meta.db_table, MONTH)


@pytest.fixture(autouse=True)
def _month():
    forget_known_partitions()
    ensure_month(SipEvent, MONTH)
    with connection.cursor() as cursor:  # where autovacuum runs, it must not vacuum before the test does
        cursor.execute(f"ALTER TABLE {connection.ops.quote_name(PARTITION)} SET (autovacuum_enabled = off)")
    yield
    forget_known_partitions()


def _dead_rows() -> int:
    """The partition's dead row versions as PostgreSQL counts them, this backend's counts sent."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    with connection.cursor() as cursor:  # a transaction later: flushed
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [PARTITION])
        return cursor.fetchone()[0]


def _bound_events(count: int) -> None:
    BindingFactory(account=AccountFactory(username="6001"))
    SipEvent.objects.bulk_create(
        SipEventFactory.build(event_id=f"v-{n}", time=T0 + datetime.timedelta(seconds=1 + n % 3000))
        for n in range(count)
    )
    run = reconcile(mode="full", workers=1)  # this connection: its counts are the ones flushed
    assert run.bound == count


def test_the_dead_versions_reconciliation_left_are_vacuumed():
    _bound_events(3000)
    assert _dead_rows() == 3000  # each bound event's old version

    assert vacuum_events() == [PARTITION]

    assert _dead_rows() == 0
    assert SipEvent.objects.filter(reconciled=True, username="6001").count() == 3000


def test_a_partition_below_autovacuums_rule_is_left_alone():
    _bound_events(900)  # below the threshold of 1,000 dead versions
    assert _dead_rows() == 900

    assert vacuum_dead_partitions(SipEvent) == []
    assert _dead_rows() == 900
    # the rule is threshold + scale x rows: 900 pass a threshold of 500 over 900 rows x 0.2
    assert vacuum_dead_partitions(SipEvent, threshold=500) == [PARTITION]
    assert _dead_rows() == 0


def test_beat_vacuums_with_the_analyze_on_the_maintenance_queue():
    from voipadmin.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["vacuum-sip-events"]
    assert entry["task"] == "sip_sessions.tasks.vacuum_events" and entry["task"] in app.tasks
    assert entry["schedule"] == datetime.timedelta(seconds=settings.ANALYZE_INTERVAL)
    assert app.amqp.router.route({}, entry["task"])["queue"].name == "maintenance"
