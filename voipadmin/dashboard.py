"""The dashboard at `/`: cards that apps register, each a template and a context function."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Card:
    title: str
    template: str
    context: Callable[[HttpRequest], dict]
    order: int = 100
    permission: str | None = None


_cards: list[Card] = []


def register_card(card: Card) -> None:
    if all(existing.title != card.title for existing in _cards):
        _cards.append(card)


def cards_for(request: HttpRequest) -> list[dict]:
    shown = []
    for card in sorted(_cards, key=lambda c: (c.order, c.title)):
        if card.permission and not request.user.has_perm(card.permission):
            continue
        shown.append({"title": card.title, "template": card.template, **card.context(request)})
    return shown
