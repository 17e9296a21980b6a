"""Dashboard card: reconciliation and the latest network errors."""

from voipadmin.dashboard import Card, register_card

from .models import SipEvent, SipEventType
from .selectors import reconciliation_status


def sip_activity(request) -> dict:
    errors = SipEvent.objects.filter(event=SipEventType.NETWORK_ERROR).order_by("-id")[:5]
    return {**reconciliation_status(), "network_errors": list(errors)}


register_card(
    Card(
        "SIP activity",
        "sip_sessions/cards/sip_activity.html",
        sip_activity,
        order=20,
        permission="sip_sessions.view_sipevent",
    )
)
