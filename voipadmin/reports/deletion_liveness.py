"""Whether a filtered delete still has a live worker, and what to do when it has none.

On PostgreSQL the worker running a job holds a session advisory lock on it for the whole run. A
worker that dies (a pool child killed, the whole worker killed with SIGKILL, its machine gone) loses
its connection and with it the lock, so "the lock is free" means "nobody runs this job", at once and
without guessing from the clock. Elsewhere (SQLite under `make run`) the job's heartbeat, written
after every batch, stands in: a running job silent for DELETION_STALE_SECONDS is taken as orphaned.

The beat task `voipadmin.tasks.sweep_deletions` (every DELETION_SWEEP_SECONDS) queues each orphaned
job again, so it resumes where it stopped in well under a minute instead of when the broker's
visibility timeout (an hour on Redis) redelivers it; a job taken up more than DELETION_MAX_ATTEMPTS
times ends as failed, with the reason in its error and in its D record.
"""

import contextlib
import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from voipadmin.models import DeletionJob

# The advisory lock's first key: "DELJ" (the second is the job id).
LOCK_CLASS = 0x44454C4A


def _postgres() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def job_lock(job_id: int) -> Iterator[bool]:
    """Hold the job's lock for the block; yields False when a live worker already holds it."""
    if not _postgres():
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, job_id])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, job_id])


def stale_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.DELETION_STALE_SECONDS)


def orphaned(job: DeletionJob) -> bool:
    """No live worker runs this job (it is pending or running)."""
    if _postgres():
        with job_lock(job.pk) as free:
            return free
    return job.heartbeat_at is None or job.heartbeat_at < stale_before()


def orphaned_jobs() -> list[int]:
    """Ids of the pending jobs nobody took within DELETION_STALE_SECONDS and of the running jobs
    whose worker is gone."""
    cutoff = stale_before()
    candidates = DeletionJob.objects.filter(
        Q(state=DeletionJob.State.PENDING, created_at__lt=cutoff) | Q(state=DeletionJob.State.RUNNING)
    ).order_by("pk")
    return [job.pk for job in candidates if orphaned(job)]


def deletions_sweep() -> list[int]:
    """Queue every orphaned job again (the worker that takes it resumes or fails it); returns them."""
    from voipadmin.tasks import run_deletion

    jobs = orphaned_jobs()
    for job_id in jobs:
        run_deletion.apply_async(args=[job_id])
    return jobs
