"""The User Monitoring menu entry and its dashboard card (users per state now)."""

from voipadmin.dashboard import Card, register_card
from voipadmin.menu import MenuEntry, register_page

from .rules import State
from .selectors import state_counts

VIEW = "monitoring.view_terminalstate"


def users_by_state(request) -> dict:
    counts = state_counts()
    return {"counts": [(state.value, state.label, counts.get(state.value, 0)) for state in State]}


register_page(MenuEntry("User Monitoring", "monitoring:page", "Overview", 10, VIEW))
register_card(Card("Users by state", "monitoring/cards/states.html", users_by_state, order=10, permission=VIEW))
