"""Periodic jobs of the conferences app; each calls a service and is safe to run twice at once."""

from celery import shared_task

from .services.media import recordings_delete_expired


@shared_task(name="conferences.tasks.delete_expired_recordings")
def delete_expired_recordings() -> int:
    """Recordings older than RECORDING_RETENTION_DAYS (0: kept for ever)."""
    return recordings_delete_expired()
