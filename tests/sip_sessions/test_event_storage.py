"""How the SIP event log is stored: the indexes each partition carries, and the statistics the
console keeps itself (autovacuum may be off) after reconciliation and ingest."""

import datetime

import pytest
from django.db import connection

from sip_sessions.models import SipEvent
from sip_sessions.reconcile import reconcile
from sip_sessions.statistics import analyze_stale_partitions
from tests.registrations.factories import T0, AccountFactory, BindingFactory
from tests.sip_sessions.factories import SipEventFactory
from voipadmin.partitions import ensure_month, forget_known_partitions, partition_name

pytestmark = pytest.mark.django_db

TABLE = SipEvent._meta.db_table
MONTH = datetime.date(T0.year, T0.month, 1)


@pytest.fixture(autouse=True)
def _fresh_partition_cache():
    forget_known_partitions()
    yield
    forget_known_partitions()


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {definition.split(" USING btree ", 1)[1].replace('"', "") for (definition,) in cursor.fetchall()}


def _reltuples(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def _pending_events(count: int) -> list[SipEvent]:
    """`count` CONNECTs at the factory's address inside the factory binding's hour."""
    return SipEvent.objects.bulk_create(
        SipEventFactory.build(event_id=f"bulk-{n}", time=T0 + datetime.timedelta(seconds=1 + n % 3000))
        for n in range(count)
    )


def test_a_month_partition_carries_only_the_indexes_the_reads_need():
    ensure_month(SipEvent, MONTH)
    pending = (
        "WHERE ((NOT ambiguous) AND (NOT reconciled) AND (remote_port IS NOT NULL) AND "
        "((username)::text = ''::text) AND (NOT (remote_ip IS NULL)) AND (NOT ((transport)::text = ''::text)))"
    )
    assert _indexes(partition_name(TABLE, MONTH)) == {
        "(id, time)",  # the key
        "(event_id, time)",  # the source identity: a repeat is skipped
        "(time, id)",  # the default order and the date range
        "(username, id)",  # a user's history, the Username sort
        "(remote_ip, id)",  # one remote address over the whole log, the Remote address sort
        f"(id) {pending}",  # reconciliation: the pending events in id order
        f"(remote_ip, remote_port, transport, time) {pending}",  # and at an address
        "(id) WHERE ambiguous",  # the "ambiguous" state filter
    }


def test_reconciliation_analyzes_the_partition_whose_events_it_bound():
    ensure_month(SipEvent, MONTH)
    partition = partition_name(TABLE, MONTH)
    BindingFactory(account=AccountFactory(username="1932"))
    _pending_events(1500)
    assert _reltuples(partition) == -1  # never analyzed: the planner knows nothing of its rows

    run = reconcile()

    assert run.bound == 1500
    assert _reltuples(partition) == 1500
    assert SipEvent.objects.filter(username="1932", reconciled=True).count() == 1500


def test_a_few_changes_leave_the_statistics_alone():
    ensure_month(SipEvent, MONTH)
    partition = partition_name(TABLE, MONTH)
    BindingFactory()
    _pending_events(20)

    run = reconcile()

    assert run.bound == 20
    assert _reltuples(partition) == -1


def test_the_rule_is_rows_changed_beyond_a_tenth_of_the_partition():
    ensure_month(SipEvent, MONTH)
    partition = partition_name(TABLE, MONTH)
    _pending_events(2000)
    assert analyze_stale_partitions(SipEvent, {partition: 2000}) == [partition]
    assert _reltuples(partition) == 2000
    # 2,000 rows known: 1,000 + 200 changes are needed before the next ANALYZE
    assert analyze_stale_partitions(SipEvent, {partition: 1200}) == []
    assert analyze_stale_partitions(SipEvent, {partition: 1201}) == [partition]


@pytest.mark.django_db(transaction=True)
def test_a_partition_filled_by_ingest_is_analyzed_by_the_next_run():
    """Rows the run did not write count too: PostgreSQL's own count of changes since the last
    ANALYZE (committed rows; the test makes the server publish its counters at once)."""
    month = datetime.date(2031, 1, 1)
    ensure_month(SipEvent, month)
    partition = partition_name(TABLE, month)
    try:
        SipEvent.objects.bulk_create(
            SipEventFactory.build(
                event_id=f"named-{n}",
                username="1932",
                time=datetime.datetime(2031, 1, 2, tzinfo=datetime.UTC) + datetime.timedelta(seconds=n),
            )
            for n in range(1200)
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
        assert _reltuples(partition) == -1

        run = reconcile()

        assert run.bound == 0
        assert _reltuples(partition) == 1200
        assert analyze_stale_partitions(SipEvent) == []  # nothing changed since
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {partition}")


def test_an_event_no_binding_matches_is_not_written_by_the_run():
    """A scanner's event stays pending for the whole retry window: the run must not lock (write)
    it every minute."""
    BindingFactory()
    matched = SipEventFactory()
    unmatched = SipEventFactory(remote_ip="198.51.100.9")

    reconcile()

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, xmax::text FROM {TABLE} WHERE id IN (%s, %s)", [matched.pk, unmatched.pk])
        xmax = dict(cursor.fetchall())
    assert xmax[unmatched.pk] == "0"
    matched.refresh_from_db()
    assert matched.reconciled
