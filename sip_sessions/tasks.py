from celery import shared_task

from .models import SipEvent
from .reconcile import reconcile
from .statistics import vacuum_dead_partitions


@shared_task(name="sip_sessions.tasks.reconcile_events")
def reconcile_events() -> dict:
    """Beat's periodic reconciliation; two at once share the work (each event is bound once)."""
    run = reconcile()
    return {"run": run.pk, "examined": run.examined, "bound": run.bound, "ambiguous": run.ambiguous}


@shared_task(name="sip_sessions.tasks.vacuum_events")
def vacuum_events() -> list[str]:
    """Beat's VACUUM of the SIP event partitions reconciliation (or deletion) left dead row
    versions in (autovacuum may be off)."""
    return vacuum_dead_partitions(SipEvent)
