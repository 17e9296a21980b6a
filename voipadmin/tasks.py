"""The console's own periodic and background jobs; each takes ids and calls a service."""

from celery import shared_task

from .reports.deletion import deletion_job_run
from .retention import partitions_ahead, retention_apply


@shared_task(name="voipadmin.tasks.run_deletion")
def run_deletion(job_id: int) -> int | None:
    job = deletion_job_run(job_id=job_id)
    return job.deleted if job else None


@shared_task(name="voipadmin.tasks.maintain_partitions")
def maintain_partitions() -> dict:
    """Partitions for the coming months, then retention; safe to run twice at once."""
    return {"created": partitions_ahead(), "removed": retention_apply()}
