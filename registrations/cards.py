"""Dashboard card: who is registered now."""

from django.db.models import Count

from voipadmin.dashboard import Card, register_card

from .models import Account
from .selectors import live_bindings


def online_now(request) -> dict:
    # Live bindings are as many as the phones online (thousands at most) and have their own index.
    live = live_bindings().aggregate(accounts=Count("account", distinct=True), bindings=Count("id"))
    accounts = Account.objects.count()
    # Offline = not online, so the figures add up; the deactivated among them said apart, since
    # User Monitoring shows every account (GREY "not registered" is this offline count).
    deactivated = Account.objects.filter(active=False).exclude(pk__in=live_bindings().values("account_id")).count()
    offline = accounts - live["accounts"]
    return {
        "online": live["accounts"],
        "bindings": live["bindings"],
        "accounts": accounts,
        "offline": offline,
        "deactivated": deactivated,
    }


register_card(
    Card(
        "Registered now",
        "registrations/cards/online_now.html",
        online_now,
        order=10,
        permission="registrations.view_registrationbinding",
    )
)
