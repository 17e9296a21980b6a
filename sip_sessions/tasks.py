from celery import shared_task

from .reconcile import reconcile


@shared_task(name="sip_sessions.tasks.reconcile_events")
def reconcile_events() -> dict:
    """Beat's periodic reconciliation; two at once share the work (each event is bound once)."""
    run = reconcile()
    return {"run": run.pk, "examined": run.examined, "bound": run.bound, "ambiguous": run.ambiguous}
