"""Dashboard card: calls of the last 24 hours, from the same bounded summary as the CDR page."""

import datetime

from django.utils import timezone

from voipadmin.dashboard import Card, register_card

from .models import Cdr
from .selectors import cdr_summary

# The dashboard reads less than the CDR page: it is the page every operator opens first.
CARD_ROWS = 5000
CARD_TIMEOUT_MS = 250


def last_day_calls(request) -> dict:
    since = timezone.now() - datetime.timedelta(hours=24)
    summary = cdr_summary(queryset=Cdr.objects.filter(start__gte=since), rows=CARD_ROWS, timeout_ms=CARD_TIMEOUT_MS)
    return {"summary": summary, "since": since}


register_card(
    Card("Calls, last 24 hours", "cdr/cards/last_day.html", last_day_calls, order=30, permission="cdr.view_cdr")
)
