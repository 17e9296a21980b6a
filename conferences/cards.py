"""Dashboard card: conferences running now."""

from voipadmin.dashboard import Card, register_card
from voipadmin.reports.counting import bounded_count

from .models import ConferenceSession


def running_now(request) -> dict:
    running = ConferenceSession.objects.filter(ended_at__isnull=True)
    count, exact = bounded_count(running, 999)
    return {"sessions": list(running.order_by("-started_at")[:6]), "count": count, "exact": exact}


register_card(
    Card(
        "Conferences now",
        "conferences/cards/running_now.html",
        running_now,
        order=40,
        permission="conferences.view_conferencesession",
    )
)
