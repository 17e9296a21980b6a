"""Dashboard card: who is registered now."""

from django.db.models import Count

from voipadmin.dashboard import Card, register_card

from .models import Account
from .selectors import live_bindings


def online_now(request) -> dict:
    # Live bindings are as many as the phones online (thousands at most) and have their own index.
    live = live_bindings().aggregate(accounts=Count("account", distinct=True), bindings=Count("id"))
    return {"online": live["accounts"], "bindings": live["bindings"], "accounts": Account.objects.count()}


register_card(
    Card(
        "Registered now",
        "registrations/cards/online_now.html",
        online_now,
        order=10,
        permission="registrations.view_registrationbinding",
    )
)
