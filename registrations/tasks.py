from celery import shared_task

from .services import bindings_expire


@shared_task(name="registrations.tasks.expire_bindings")
def expire_bindings() -> int:
    """Beat's sweep: bindings whose expiry passed with no event end there (reason expired)."""
    return bindings_expire()
