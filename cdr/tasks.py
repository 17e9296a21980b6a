"""The CDR app's periodic jobs; each calls a service."""

from celery import shared_task

from .services.store import claims_vacuum


@shared_task(name="cdr.tasks.vacuum_claims")
def vacuum_claims() -> None:
    """Make the space of the claims stored batches left dead reusable (autovacuum may be off)."""
    claims_vacuum()
