"""The CDR chart's rollup stays equal to the rows under every write path, and two ingesting
transactions of the same quarter hour never wait for each other."""

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.http import QueryDict

from cdr.models import Cdr, CdrRollup
from cdr.rollup import rollup_compact, rollup_rebuild
from cdr.services.asterisk_csv import parse_record
from cdr.services.ingest import cdrs_ingest
from cdr.tasks import compact_rollup
from tests.cdr import master_csv as mc
from tests.cdr.factories import CdrFactory
from voipadmin.models import DeletionJob
from voipadmin.partitions import ensure_partitions
from voipadmin.reports.deletion import deletion_job_run
from voipadmin.retention import retention_apply

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the rollup is PostgreSQL's")
QUARTER = datetime.timedelta(minutes=15)
T = datetime.datetime(2026, 3, 10, 9, 7, tzinfo=datetime.UTC)


def rolled_up() -> dict:
    """{(bucket, disposition): (calls, billsec)} as the rollup's rows add up (zeros left out)."""
    sums: dict = {}
    for bucket, disposition, calls, billsec in CdrRollup.objects.values_list(
        "bucket", "disposition", "calls", "billsec"
    ):
        old = sums.get((bucket, disposition), (0, 0))
        sums[(bucket, disposition)] = (old[0] + calls, old[1] + billsec)
    return {key: value for key, value in sums.items() if value != (0, 0)}


def counted() -> dict:
    """The same, counted from the CDRs in Python."""
    sums: dict = {}
    for start, disposition, billsec in Cdr.objects.values_list("start", "disposition", "billsec"):
        bucket = datetime.datetime.fromtimestamp(int(start.timestamp()) // 900 * 900, datetime.UTC)
        old = sums.get((bucket, disposition), (0, 0))
        sums[(bucket, disposition)] = (old[0] + 1, old[1] + billsec)
    return sums


def item(uniqueid: str, start: datetime.datetime, **fields) -> dict:
    row = parse_record((mc.L21 + "\n").encode(), zone=datetime.UTC)
    shift = start - row["start"]
    row.update(uniqueid=uniqueid, linkedid=uniqueid, start=start, answer=row["answer"] + shift, end=row["end"] + shift)
    return row | fields


@pytest.mark.django_db
def test_ingest_factories_updates_and_deletes_keep_it_equal_to_the_rows():
    ensure_partitions(Cdr, T, T)
    assert cdrs_ingest(items=[item(f"api.{n}", T + n * QUARTER / 4) for n in range(9)]) == 9
    assert cdrs_ingest(items=[item("api.0", T)]) == 0  # a repeat stores nothing and counts nothing
    for n in range(4):
        CdrFactory(start=T + n * QUARTER, disposition="BUSY", billsec=0, duration=3, answer=None)
    assert rolled_up() == counted() and len(counted()) > 3
    Cdr.objects.filter(uniqueid__in=["api.1", "api.2"]).update(disposition="FAILED", billsec=0)
    Cdr.objects.filter(uniqueid="api.3").update(start=T + 40 * QUARTER)  # moved to another bucket
    Cdr.objects.filter(uniqueid="api.4").update(src="999")  # nothing the rollup holds: no row added
    assert rolled_up() == counted()
    Cdr.objects.filter(disposition="BUSY", start__lt=T + 2 * QUARTER).delete()
    assert rolled_up() == counted()
    before = CdrRollup.objects.count()
    assert rollup_compact() > 0
    assert rolled_up() == counted()
    assert CdrRollup.objects.count() == len(counted()) < before  # one row per bucket and disposition
    assert compact_rollup.delay().get() == 0  # through Celery: nothing left to fold


@pytest.mark.django_db
def test_a_filtered_delete_job_takes_its_rows_out_of_the_rollup(admin_user, settings):
    settings.REPORT_DELETE_BATCH = 3  # several batches, each its own transaction
    for n in range(10):
        CdrFactory(start=T + n * QUARTER / 3, disposition="BUSY" if n % 2 else "ANSWERED")
    job = DeletionJob.objects.create(
        report="cdr", query=QueryDict("disposition=BUSY").urlencode(), requested_by=admin_user
    )
    assert deletion_job_run(job_id=job.pk).deleted == 5
    assert not Cdr.objects.filter(disposition="BUSY").exists()
    assert rolled_up() == counted() and {key[1] for key in rolled_up()} == {"ANSWERED"}


@pytest.mark.django_db
def test_retention_drops_the_months_of_the_rollup_with_their_partitions(settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "cdr.Cdr": 40}
    months = [datetime.datetime(2026, month, 20, 12, tzinfo=datetime.UTC) for month in (1, 2, 3)]
    ensure_partitions(Cdr, months[0], months[-1])
    for moment in months:
        CdrFactory(start=moment)
        CdrFactory(start=moment + QUARTER)
    with connection.cursor() as cursor:  # the test's transaction: run the deferred FK checks, as a commit would
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # 40 days before 20 Mar 12:10: January's partition is dropped, February trimmed up to 12:10 on the 8th
    now = datetime.datetime(2026, 3, 20, 12, 10, tzinfo=datetime.UTC)
    assert retention_apply(now=now)["cdr.Cdr"] == 2
    assert rolled_up() == counted() and len(counted()) == 4
    assert min(bucket for bucket, _ in rolled_up()).month == 2


@pytest.mark.django_db
def test_rebuild_command_recounts_all_or_since_a_time():
    for n in range(6):
        CdrFactory(start=T + n * datetime.timedelta(days=1))
    CdrRollup.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_cdr_rollup", "--since", "2026-03-13", stdout=out)
    assert "CDR rollup rebuilt (since 2026-03-13T00:00:00+00:00): 3 rows" in out.getvalue()
    assert len(rolled_up()) == 3
    call_command("rebuild_cdr_rollup", stdout=out)
    assert rolled_up() == counted() and len(counted()) == 6
    assert rollup_rebuild(since=T, until=T + datetime.timedelta(hours=23)) == 1
    assert rolled_up() == counted()
    with pytest.raises(CommandError, match="--since '2026-03-13 09:00'"):
        call_command("rebuild_cdr_rollup", "--since", "2026-03-13 09:00")


@pytest.mark.django_db(transaction=True)
def test_two_transactions_ingesting_the_same_quarter_hour_do_not_wait_for_each_other():
    """The first client stores its call and keeps its transaction open; the second stores a call of
    the same 15 minutes and disposition and commits while the first is still open (an update of a
    shared counter row would block it: lock_timeout makes that an error). Both count."""
    ensure_partitions(Cdr, T, T)
    first_stored, second_done, errors = threading.Event(), threading.Event(), []

    def first_client() -> None:
        try:
            with transaction.atomic():
                cdrs_ingest(items=[item("first.1", T)])
                first_stored.set()
                assert second_done.wait(timeout=10)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=first_client)
    thread.start()
    try:
        assert first_stored.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            assert cdrs_ingest(items=[item("second.1", T + datetime.timedelta(minutes=1))]) == 1
        assert Cdr.objects.filter(uniqueid="second.1").exists()  # committed with the first still open
        assert rolled_up() == {(T.replace(minute=0), "ANSWERED"): (1, counted()[(T.replace(minute=0), "ANSWERED")][1])}
    finally:
        second_done.set()
        thread.join()
    assert errors == []
    assert rolled_up() == counted() and counted()[(T.replace(minute=0), "ANSWERED")][0] == 2
    assert CdrRollup.objects.count() == 2  # two rows of differences, folded by beat later
    rollup_compact()
    assert CdrRollup.objects.count() == 1 and rolled_up() == counted()
