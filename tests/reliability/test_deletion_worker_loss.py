"""A filtered delete whose worker is killed with SIGKILL mid-job resumes (or ends as failed with a
clear reason) within a minute, and no row outside the filter goes (issue 15, defect 2).

Real workers on the test database and the real broker: the pool child killed (Celery gives the
message back: reject_on_worker_lost), the whole worker killed (its message would come back only
after Redis's one-hour visibility timeout; the beat sweeper queues the job again).
"""

import datetime
import os
import signal
import time

import pytest
import redis
from django.conf import settings

from audit.models import AuditRecord, ServerEvent
from cdr.models import Cdr
from tests.cdr.factories import CdrFactory
from tests.reliability.worker import Worker
from voipadmin.celery import app
from voipadmin.models import DeletionJob
from voipadmin.partitions import ensure_partitions_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # send_task goes to the real broker whatever the test settings' eager mode says: that is the point.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

T0 = datetime.datetime(2026, 11, 2, 8, tzinfo=datetime.UTC)
INSIDE, OUTSIDE = 12000, 1500
BATCH = "100"


@pytest.fixture
def calls(db):
    rows = [
        CdrFactory.build(dst="7001" if n < INSIDE else "8002", start=T0 + datetime.timedelta(seconds=n))
        for n in range(INSIDE + OUTSIDE)
    ]
    ensure_partitions_for(Cdr, [row.start for row in rows])
    Cdr.objects.bulk_create(rows, batch_size=5000)
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("celery")  # no message of an earlier run
    return rows


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(tmp_path, **{"REPORT_DELETE_BATCH": BATCH, **kwargs})
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def new_job(admin_user) -> DeletionJob:
    return DeletionJob.objects.create(
        report="cdr", query="dst=7001", description="Destination: 7001", requested_by=admin_user, expected=INSIDE
    )


def wait_for(predicate, timeout: float, what: str, every=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if every is not None:
            every()
        value = predicate()
        if value:
            return value
        time.sleep(0.05 if every is None else 2)
    raise AssertionError(f"timed out waiting for {what}")


def mid_job(job: DeletionJob) -> DeletionJob:
    def deleting():
        fresh = DeletionJob.objects.get(pk=job.pk)
        return fresh if fresh.state == DeletionJob.State.RUNNING and 500 <= fresh.deleted < INSIDE - 2000 else None

    return wait_for(deleting, 60, "the job to be half-way")


def assert_only_the_filter_went(job: DeletionJob) -> None:
    """Every row outside the filter stays; the deletion is told once, with its count and outcome."""
    assert Cdr.objects.filter(dst="8002").count() == OUTSIDE
    job.refresh_from_db()
    events = ServerEvent.objects.filter(event_type="delete_cdrs")
    assert [(event.deleted_count, event.details["state"]) for event in events] == [(job.deleted, job.state)]
    records = AuditRecord.objects.filter(action="D", resource_table="cdr_cdr")
    assert [record.details["job"] for record in records] == [job.pk]


def test_the_pool_child_killed_mid_job_the_job_resumes_and_ends(calls, admin_user, workers):
    worker = workers()
    child = worker.pool_child()
    job = new_job(admin_user)
    app.send_task("voipadmin.tasks.run_deletion", args=[job.pk])
    mid_job(job)
    os.kill(child, signal.SIGKILL)
    done = wait_for(
        lambda: DeletionJob.objects.filter(pk=job.pk, state=DeletionJob.State.DONE).first(),
        60,
        "the resumed job to finish",
        every=lambda: app.send_task("voipadmin.tasks.sweep_deletions"),
    )
    assert done.attempts >= 2 and done.deleted == INSIDE and done.error == ""
    assert not Cdr.objects.filter(dst="7001").exists()
    assert_only_the_filter_went(done)


def test_the_whole_worker_killed_the_sweeper_resumes_the_job_within_a_minute(calls, admin_user, workers):
    first = workers(pool="solo")
    job = new_job(admin_user)
    app.send_task("voipadmin.tasks.run_deletion", args=[job.pk])
    mid_job(job)
    first.kill()
    stuck = DeletionJob.objects.get(pk=job.pk)
    assert stuck.state == DeletionJob.State.RUNNING and 0 < stuck.deleted < INSIDE
    workers(pool="solo")
    killed_at = time.monotonic()
    done = wait_for(
        lambda: DeletionJob.objects.filter(pk=job.pk, state=DeletionJob.State.DONE).first(),
        60,
        "the sweeper to resume the job",
        every=lambda: app.send_task("voipadmin.tasks.sweep_deletions"),
    )
    assert time.monotonic() - killed_at < 60
    assert done.deleted == INSIDE and not Cdr.objects.filter(dst="7001").exists()
    assert_only_the_filter_went(done)


def test_a_job_whose_workers_keep_dying_ends_failed_with_the_reason(calls, admin_user, workers):
    worker = workers(DELETION_MAX_ATTEMPTS="1")
    child = worker.pool_child()
    job = new_job(admin_user)
    app.send_task("voipadmin.tasks.run_deletion", args=[job.pk])
    halfway = mid_job(job)
    os.kill(child, signal.SIGKILL)
    failed = wait_for(
        lambda: DeletionJob.objects.filter(pk=job.pk, state=DeletionJob.State.FAILED).first(),
        60,
        "the job to be given up",
        every=lambda: app.send_task("voipadmin.tasks.sweep_deletions"),
    )
    assert "given up after 1 attempts: the worker running this deletion was lost" in failed.error
    assert failed.deleted >= halfway.deleted
    assert Cdr.objects.filter(dst="7001").count() == INSIDE - failed.deleted
    assert_only_the_filter_went(failed)
