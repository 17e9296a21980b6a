"""Reads of the SIP activity log."""

import datetime

from django.db.models import QuerySet, Sum
from django.utils import timezone

from registrations.models import Account
from voipadmin.reports.counting import recent_estimate

from .models import PENDING, ReconciliationRun, SipEvent


def account_events(account: Account, *, limit: int = 50) -> QuerySet:
    """The account's latest events: given its username by the server or by reconciliation."""
    return SipEvent.objects.filter(username=account.username).order_by("-time", "-id")[:limit]


def reconciliation_status() -> dict:
    """What the SIP Sessions page says above its table: the last finished run, and about how many
    events wait (the planner's estimate over the pending index, no count of a big table; kept for
    a minute, as planning it costs more than the page's own query)."""
    last = ReconciliationRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    day = ReconciliationRun.objects.filter(started_at__gte=timezone.now() - datetime.timedelta(hours=24))
    return {
        "last_run": last,
        "bound_last_day": day.aggregate(total=Sum("bound"))["total"] or 0,
        "pending_estimate": recent_estimate(SipEvent.objects.filter(PENDING)),
    }


def event_evidence(event: SipEvent) -> dict:
    """The bindings at the event's address and time: who reconciliation bound it to, or why not."""
    from registrations.selectors import bindings_at

    if not (event.remote_ip and event.remote_port and event.transport):
        return {"evidence": None}
    return {
        "evidence": list(
            bindings_at(
                remote_ip=event.remote_ip,
                remote_port=event.remote_port,
                transport=event.transport,
                moment=event.time,
            )[:20]
        )
    }
