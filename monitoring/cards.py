"""The User Monitoring menu entry and its dashboard card (users per state now)."""

from django.core.cache import cache

from voipadmin.dashboard import Card, register_card
from voipadmin.menu import MenuEntry, register_page

from .rules import State
from .selectors import state_counts

VIEW = "monitoring.view_terminalstate"
# Several dashboards open at once share one computation for a couple of seconds.
CACHE_KEY, CACHE_SECONDS = "monitoring:state-counts", 2


def users_by_state(request) -> dict:
    counts = cache.get(CACHE_KEY)
    if counts is None:
        counts = state_counts()
        cache.set(CACHE_KEY, counts, CACHE_SECONDS)
    return {"counts": [(state.value, state.label, counts.get(state.value, 0)) for state in State]}


register_page(MenuEntry("User Monitoring", "monitoring:page", "Overview", 10, VIEW))
register_card(Card("Users by state", "monitoring/cards/states.html", users_by_state, order=10, permission=VIEW))
