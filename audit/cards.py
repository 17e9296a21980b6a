"""Dashboard cards of the audit app."""

import datetime

from django.utils import timezone

from voipadmin.dashboard import Card, register_card
from voipadmin.reports.counting import bounded_count

from .models import WebAccess


def console_access(request) -> dict:
    since = timezone.now() - datetime.timedelta(hours=24)
    failed, exact = bounded_count(
        WebAccess.objects.filter(time__gte=since, outcome=WebAccess.Outcome.LOGIN_FAILED), 999
    )
    return {
        "recent": list(WebAccess.objects.order_by("-time", "-id")[:8]),
        "failed": failed,
        "failed_exact": exact,
    }


register_card(
    Card(
        "Console access", "audit/cards/console_access.html", console_access, order=90, permission="audit.view_webaccess"
    )
)
