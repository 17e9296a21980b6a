from celery import shared_task

from .rollup import rollup_compact


@shared_task(name="cdr.tasks.compact_rollup")
def compact_rollup() -> int:
    """Beat's fold of the CDR rollup's rows of differences (cdr.rollup): fewer rows for a chart to sum."""
    return rollup_compact()
