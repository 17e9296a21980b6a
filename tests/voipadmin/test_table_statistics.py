"""The console's own ANALYZE: a partition it created and filled gets statistics without autovacuum."""

import datetime

import pytest
from django.db import connection

from tests.testapp.models import Probe
from voipadmin.bulk import copy_new
from voipadmin.partitions import ensure_partitions_for, forget_known_partitions
from voipadmin.table_statistics import analyze_changed, stale_tables
from voipadmin.tasks import analyze_tables

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2031, 2, 3, 9, 30, tzinfo=datetime.UTC)
PARTITION = "testapp_probe_p203102"
# The test that commits leaves its partition behind (a flush empties tables, it drops none): its own month.
LATER, LATER_PARTITION = datetime.datetime(2031, 3, 3, 9, 30, tzinfo=datetime.UTC), "testapp_probe_p203103"


@pytest.fixture(autouse=True)
def _fresh_cache():
    forget_known_partitions()
    yield
    forget_known_partitions()


def probes(tables: list[str]) -> list[str]:
    """The Probe tables among those named (other tables of the test database may be due too)."""
    return [table for table in tables if table.startswith("testapp_probe")]


def statistics(table: str) -> tuple[float, int]:
    """(pg_class.reltuples, columns pg_stats describes) of the table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        reltuples = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s AND NOT inherited", [table])
        return reltuples, cursor.fetchone()[0]


def test_a_new_partition_filled_by_copy_gets_statistics():
    ensure_partitions_for(Probe, [T0])
    rows = [{"event_id": f"e{n}", "time": T0 + datetime.timedelta(seconds=n), "kind": "PING"} for n in range(500)]
    assert len(copy_new(Probe, rows, key=("event_id", "time"))) == 500
    assert statistics(PARTITION) == (-1, 0)  # never analyzed: the planner would guess
    # 500 changes: over a tenth of the whole table (or it was never analyzed), analyzed as a whole
    assert probes(stale_tables()) == ["testapp_probe"]
    assert probes(analyze_changed()) == ["testapp_probe"]
    reltuples, columns = statistics(PARTITION)
    assert reltuples == 500 and columns >= 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_distinct FROM pg_stats WHERE tablename = 'testapp_probe' AND inherited "
                       "AND attname = 'event_id'")  # fmt: skip
        assert cursor.fetchone()[0] == -1  # every event id distinct, over all the months
    assert not {PARTITION, "testapp_probe"} & set(stale_tables())  # analyzed: not due again


def _committed_counters() -> None:
    """The statistics collector's counters of this session's committed writes, flushed and re-read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # flushed once the session is idle
        cursor.execute("SELECT pg_stat_clear_snapshot()")


@pytest.mark.django_db(transaction=True)
def test_a_partition_is_due_again_after_its_share_of_changes_alone(settings):
    """The whole table (500 rows) is analyzed once; then 60 rows more in a month of 100 make that
    month due (over half of it), not the table (a tenth of it)."""
    settings.ANALYZE_THRESHOLD, settings.ANALYZE_SCALE_PERCENT = 0, 50
    other = LATER + datetime.timedelta(days=31)
    ensure_partitions_for(Probe, [LATER, other])

    def add(prefix: str, count: int, moment: datetime.datetime = LATER) -> None:
        copy_new(Probe, [{"event_id": f"{prefix}{n}", "time": moment, "kind": "PING"} for n in range(count)],
                 key=("event_id", "time"))  # fmt: skip
        _committed_counters()

    add("a", 100)
    add("o", 400, other)
    assert probes(analyze_changed()) == ["testapp_probe"]
    assert statistics(LATER_PARTITION)[0] == 100
    add("b", 40)  # 40 changes on 100 rows: under half
    assert probes(stale_tables()) == []
    add("c", 20)  # 60: over half of the month, under half of the table
    assert probes(stale_tables()) == [LATER_PARTITION]
    assert statistics(LATER_PARTITION)[0] == 100  # as last analyzed, until the run
    assert probes(analyze_changed()) == [LATER_PARTITION]
    assert statistics(LATER_PARTITION)[0] == 160


def test_the_beat_task_analyzes_and_sqlite_paths_do_nothing(monkeypatch):
    ensure_partitions_for(Probe, [T0])
    copy_new(Probe, [{"event_id": "t", "time": T0, "kind": "PING"}], key=("event_id", "time"))
    # the month alone, or the whole table with it when the table was never analyzed
    assert probes(analyze_tables()) in ([PARTITION], ["testapp_probe"])
    assert statistics(PARTITION)[0] == 1
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert analyze_changed() == [] and stale_tables() == []


def test_a_table_another_run_is_analyzing_is_skipped():
    from django.db import connections

    ensure_partitions_for(Probe, [T0])
    copy_new(Probe, [{"event_id": "s", "time": T0, "kind": "PING"}], key=("event_id", "time"))
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            for table in (PARTITION, "testapp_probe"):
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"voipadmin.analyze:{table}"])
            assert probes(analyze_changed()) == []
            assert statistics(PARTITION) == (-1, 0)
            cursor.execute("COMMIT")
        assert probes(analyze_changed()) in ([PARTITION], ["testapp_probe"])
        assert statistics(PARTITION)[0] == 1
    finally:
        other.close()
