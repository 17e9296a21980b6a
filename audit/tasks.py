"""The audit app's periodic jobs."""

from celery import shared_task

from .services.lockout import lockouts_expire


@shared_task(name="audit.tasks.expire_login_lockouts")
def expire_login_lockouts() -> int:
    """Lift the login locks whose cool-off has passed; safe to run twice at once (row locks)."""
    return lockouts_expire()
