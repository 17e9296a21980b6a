from celery import shared_task

from .services import terminal_history_trim


@shared_task(name="monitoring.tasks.trim_terminal_history")
def trim_terminal_history() -> int:
    """Beat's hourly trim of the pushed terminal states older than MONITORING_HISTORY_DAYS."""
    return terminal_history_trim()
