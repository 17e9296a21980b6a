"""Each user's row: pushed terminals, SIP registration following the bindings, derived icons."""

import datetime
import random
from collections import Counter

import pytest
from django.utils import timezone

from monitoring.rules import State
from monitoring.selectors import in_states, state_counts, user_rows, without_jit
from registrations.models import Account
from tests.monitoring.factories import TerminalStateFactory, live_binding
from tests.registrations.factories import AccountFactory, BindingFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def row_of(account, now=None):
    [row] = user_rows(Account.objects.filter(pk=account.pk), now=now)
    return row


def icons(row) -> list[tuple]:
    return [(t.slot, t.kind, t.registered, t.source) for t in row.terminals]


def test_pushed_terminals_make_the_state_and_keep_their_slots():
    account = AccountFactory(mobile="")
    TerminalStateFactory(account=account, terminal=1, registered=True)
    TerminalStateFactory(account=account, terminal=3, kind="usb", calls_ringing=1)
    TerminalStateFactory(account=account, terminal=4, kind="mobile", calls_active=2, address="+39 333 1")
    row = row_of(account)
    assert (row.state, row.calls) == (State.RED, 2)
    # a SIP phone pushed registered, with no binding ever: the push holds
    assert icons(row) == [(1, "sip", True, "push"), (3, "usb", True, "push"), (4, "mobile", True, "push")]
    assert row.slots()[1] is None


def test_a_live_binding_without_a_sip_push_shows_a_registered_sip_phone_in_the_first_free_slot():
    account = AccountFactory(mobile="")
    TerminalStateFactory(account=account, terminal=1, kind="dect", registered=False)
    live_binding(account, contact="sip:1100@192.168.10.44:5060", user_agent="Snom D785")
    row = row_of(account)
    assert (row.state, row.calls) == (State.GREEN, 0)
    assert icons(row) == [(1, "dect", False, "push"), (2, "sip", True, "binding")]
    sip = row.terminals[1]
    assert (sip.address, sip.model, sip.link) == ("192.168.10.44", "Snom D785", "http://192.168.10.44/")


def test_a_binding_alone_makes_a_user_green_and_its_expiry_makes_them_grey_with_no_write():
    now = timezone.now()
    account = AccountFactory(mobile="")
    live_binding(account, now=now, expires_at=now + datetime.timedelta(seconds=30))
    assert row_of(account, now=now).state == State.GREEN
    later = row_of(account, now=now + datetime.timedelta(seconds=31))
    assert (later.state, later.terminals) == (State.GREY, [])


def test_a_sip_push_says_not_registered_but_a_live_binding_says_it_is():
    account = AccountFactory(mobile="")
    TerminalStateFactory(account=account, registered=False)
    live_binding(account)
    row = row_of(account)
    assert row.state == State.GREEN
    assert icons(row) == [(1, "sip", True, "push")]
    assert "live registration binding" in row.terminals[0].hover


def test_a_sip_push_registered_loses_to_bindings_that_all_ended_after_it():
    now = timezone.now()
    account = AccountFactory(mobile="")
    TerminalStateFactory(account=account, registered=True, timestamp=now - 2 * HOUR)
    BindingFactory(account=account, registered_at=now - 3 * HOUR, expires_at=now - HOUR)  # lapsed after the push
    row = row_of(account, now=now)
    assert row.state == State.GREY
    assert icons(row) == [(1, "sip", False, "push")]
    assert "bindings ended" in row.terminals[0].hover


def test_bindings_that_ended_before_the_sip_push_leave_it_registered():
    now = timezone.now()
    account = AccountFactory(mobile="")
    TerminalStateFactory(account=account, registered=True, timestamp=now - HOUR)
    BindingFactory(
        account=account,
        registered_at=now - 5 * HOUR,
        expires_at=now - 2 * HOUR,
        removed_at=now - 3 * HOUR,
        removed_reason="unregister",
    )
    assert row_of(account, now=now).state == State.GREEN


def test_an_unregister_after_the_push_counts_as_its_end_not_the_expiry():
    now = timezone.now()
    account = AccountFactory(mobile="")
    TerminalStateFactory(account=account, registered=True, timestamp=now - 2 * HOUR)
    BindingFactory(
        account=account,
        registered_at=now - 3 * HOUR,
        expires_at=now + HOUR,
        removed_at=now - HOUR,
        removed_reason="unregister",
    )
    assert row_of(account, now=now).state == State.GREY


def test_the_mobile_number_of_the_account_shows_a_mobile_icon_that_does_not_make_the_user_green():
    account = AccountFactory(mobile="+39 333 7654321")
    row = row_of(account)
    assert (row.state, icons(row)) == (State.GREY, [(1, "mobile", False, "account")])
    assert "+39 333 7654321" in row.terminals[0].hover
    TerminalStateFactory(account=account, terminal=2, kind="mobile", registered=True)
    assert icons(row_of(account)) == [(2, "mobile", True, "push")]  # the pushed one replaces it


def test_with_four_slots_pushed_no_icon_is_added_but_the_binding_still_counts():
    account = AccountFactory(mobile="+39 333 1")
    for slot, kind in enumerate(["dect", "usb", "mobile", "dect"], start=1):
        TerminalStateFactory(account=account, terminal=slot, kind=kind, registered=False)
    live_binding(account)
    row = row_of(account)
    assert [t.kind for t in row.terminals] == ["dect", "usb", "mobile", "dect"]
    assert row.state == State.GREEN


def test_signature_changes_with_what_the_row_shows():
    account = AccountFactory(mobile="")
    state = TerminalStateFactory(account=account)
    before = row_of(account).signature
    assert row_of(account).signature == before
    state.calls_ringing = 1
    state.save()
    assert row_of(account).signature != before


def test_the_counting_aggregate_agrees_with_the_rule_on_random_users():
    """state_counts (one SQL aggregate) against user_rows (the Python rule), on users with random
    terminals, live bindings, and bindings that ended before or after their SIP push."""
    rng = random.Random(11)
    now = timezone.now()
    for n in range(80):
        account = AccountFactory(username=f"r{n}", mobile=rng.choice(["", "+39 333 1"]))
        for slot in rng.sample([1, 2, 3, 4], rng.randint(0, 3)):
            TerminalStateFactory(
                account=account,
                terminal=slot,
                kind=rng.choice(["sip", "sip", "dect", "usb", "mobile"]),
                registered=rng.random() < 0.6,
                calls_ringing=int(rng.random() < 0.1),
                calls_active=int(rng.random() < 0.1),
                timestamp=now - rng.choice([10, 90, 300]) * datetime.timedelta(minutes=1),
            )
        for _ in range(rng.randint(0, 2)):
            start = now - rng.choice([20, 120, 400]) * datetime.timedelta(minutes=1)
            removed = rng.choice([None, None, start + datetime.timedelta(minutes=rng.choice([5, 100, 500]))])
            BindingFactory(
                account=account,
                registered_at=start,
                expires_at=start + rng.choice([15, 60, 600]) * datetime.timedelta(minutes=1),
                removed_at=removed,
                removed_reason="unregister" if removed else "",
            )
    rows = user_rows(Account.objects.all(), now=now)
    expected = Counter(row.state.value for row in rows)
    assert len(expected) == 4
    assert state_counts(now=now) == {state: expected.get(state, 0) for state in State.values}
    # the same SQL as the state filter, and over a part of the accounts
    for states in (["RED"], ["ORANGE"], ["RED", "ORANGE"], ["ORANGE", "GREY"], ["GREEN"]):
        with without_jit():
            chosen = set(in_states(Account.objects.all(), states, now=now).values_list("pk", flat=True))
        assert chosen == {row.account_id for row in rows if row.state in states}
    some = Account.objects.filter(username__in=[f"r{n}" for n in range(0, 80, 3)])
    part_names = {account.username for account in some}
    part = Counter(row.state.value for row in rows if row.username in part_names)
    assert state_counts(some, now=now) == {state: part.get(state, 0) for state in State.values}
    for states in (["RED"], ["ORANGE"], ["RED", "ORANGE"], ["GREEN", "GREY"]):
        with without_jit():
            chosen = set(in_states(some, states, now=now).values_list("pk", flat=True))
        assert chosen == {row.account_id for row in rows if row.state in states and row.username in part_names}


def test_state_counts_cover_every_account():
    TerminalStateFactory(calls_active=1)
    TerminalStateFactory(calls_ringing=1)
    TerminalStateFactory()
    AccountFactory(mobile="")
    assert state_counts() == {"RED": 1, "ORANGE": 1, "GREEN": 1, "GREY": 1}


def test_each_sip_terminal_compares_its_own_push_with_the_end_of_the_bindings():
    now = timezone.now()
    account = AccountFactory(mobile="")
    TerminalStateFactory(account=account, terminal=1, registered=True, timestamp=now - 3 * HOUR)
    TerminalStateFactory(account=account, terminal=2, registered=True, timestamp=now - HOUR)
    BindingFactory(account=account, registered_at=now - 4 * HOUR, expires_at=now - 2 * HOUR)
    row = row_of(account, now=now)
    assert icons(row) == [(1, "sip", False, "push"), (2, "sip", True, "push")]
    assert row.state == State.GREEN


def test_the_state_filter_on_calls_alone_puts_a_user_ringing_and_in_a_call_in_red_only():
    """RED and ORANGE are read from the terminals in a call, without the state SQL: a call on one
    terminal outranks a ring on another, and a binding or a mobile number never makes either."""
    now = timezone.now()
    both = AccountFactory(username="both")
    TerminalStateFactory(account=both, terminal=1, calls_active=1)
    TerminalStateFactory(account=both, terminal=2, kind="dect", calls_ringing=1)
    ringing = AccountFactory(username="ringing")
    TerminalStateFactory(account=ringing, registered=False, calls_ringing=2)
    online = AccountFactory(username="online", mobile="+39 333 1")
    live_binding(online, now=now)

    def chosen(*states: str) -> set[str]:
        with without_jit():
            return set(in_states(Account.objects.all(), states, now=now).values_list("username", flat=True))

    assert chosen("RED") == {"both"}
    assert chosen("ORANGE") == {"ringing"}
    assert chosen("RED", "ORANGE") == {"both", "ringing"}
    assert chosen("GREEN") == {"online"}
