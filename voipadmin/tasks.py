"""The console's own periodic and background jobs; each takes ids and calls a service."""

from celery import shared_task

from .reports.deletion import deletion_job_run
from .reports.deletion_liveness import deletions_sweep
from .retention import partitions_ahead, retention_apply
from .table_statistics import analyze_changed


# Acknowledged when done, and given back to the queue when the pool child running it dies (killed,
# out of memory): the next worker resumes the job. Safe, since a job resumes from its query and a
# live worker's lock turns a second copy into a no-op.
@shared_task(name="voipadmin.tasks.run_deletion", acks_late=True, reject_on_worker_lost=True)
def run_deletion(job_id: int) -> int | None:
    job = deletion_job_run(job_id=job_id)
    return job.deleted if job else None


@shared_task(name="voipadmin.tasks.sweep_deletions")
def sweep_deletions() -> list[int]:
    """Queue again every filtered delete whose worker is gone (the whole worker killed: the broker
    would redeliver its message only after the visibility timeout, an hour on Redis)."""
    return deletions_sweep()


@shared_task(name="voipadmin.tasks.maintain_partitions")
def maintain_partitions() -> dict:
    """Partitions for the coming months, then retention; safe to run twice at once."""
    return {"created": partitions_ahead(), "removed": retention_apply()}


@shared_task(name="voipadmin.tasks.analyze_tables")
def analyze_tables() -> list[str]:
    """ANALYZE the tables whose rows changed a lot since their last ANALYZE (autovacuum may be off)."""
    return analyze_changed()
