"""The CDR app's periodic jobs; each calls a service."""

from celery import shared_task

from .rollup import rollup_compact
from .services.store import claims_vacuum


@shared_task(name="cdr.tasks.vacuum_claims")
def vacuum_claims() -> None:
    """Make the space of the claims stored batches left dead reusable (autovacuum may be off)."""
    claims_vacuum()


@shared_task(name="cdr.tasks.compact_rollup")
def compact_rollup() -> int:
    """Beat's fold of the CDR rollup's rows of differences (cdr.rollup): fewer rows for a chart to sum."""
    return rollup_compact()
