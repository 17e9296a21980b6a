"""Pages of User Monitoring: the keyset on (department, surname, name, username), and the state
filter read over growing windows of that order, walked both ways against the Python rule."""

import random

import pytest
from django.utils import timezone

from monitoring.paging import fetch_user_page
from monitoring.selectors import in_states, user_rows, without_jit
from registrations.models import Account
from tests.monitoring.factories import TerminalStateFactory
from tests.registrations.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd():
    rng = random.Random(5)
    for n in range(40):
        account = AccountFactory(
            username=f"u{n:02d}",
            department=rng.choice(["Sales", "Support", ""]),
            last_name=rng.choice(["Bassi", "Conti", "conti", "Rossi"]),
            first_name=rng.choice(["Anna", "Luca"]),
            mobile="",
        )
        draw = rng.random()
        if draw < 0.15:
            TerminalStateFactory(account=account, calls_active=1)
        elif draw < 0.25:
            TerminalStateFactory(account=account, calls_ringing=1)
        elif draw < 0.7:
            TerminalStateFactory(account=account)


def walk(size: int, narrow, *, backward: bool = False) -> list[int]:
    """Every page, following next (or previous from the last page) links."""
    pages, page = [], fetch_user_page(Account.objects.all(), size, last=backward, narrow=narrow)
    while True:
        assert len(page.account_ids) <= size
        pages.append(page.account_ids)
        cursor = page.previous_cursor if backward else page.next_cursor
        if cursor is None:
            break
        page = fetch_user_page(
            Account.objects.all(), size, narrow=narrow, **({"before": cursor} if backward else {"after": cursor})
        )
    if backward:
        pages.reverse()
    return [pk for ids in pages for pk in ids]


@pytest.mark.parametrize("states", [None, ["RED"], ["RED", "ORANGE"], ["GREEN"], ["GREY", "ORANGE"]])
@pytest.mark.parametrize("size", [1, 3, 7, 50])
def test_every_page_both_ways_is_the_rule_in_the_order(crowd, states, size):
    now = timezone.now()
    ordered = list(Account.objects.order_by("department", "last_name", "first_name", "username"))
    state = {row.account_id: row.state for row in user_rows(Account.objects.all(), now=now)}
    expected = [a.pk for a in ordered if states is None or state[a.pk] in states]
    narrow = None if states is None else (lambda accounts: in_states(accounts, states, now=now))
    with without_jit():
        assert walk(size, narrow) == expected
        assert walk(size, narrow, backward=True) == expected
