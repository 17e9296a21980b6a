"""The monitoring rules, table-driven: the state of a user, a SIP terminal's registration, links."""

import dataclasses
import datetime
import itertools

import pytest

from monitoring.rules import State, Terminal, contact_host, device_url, sip_registered, user_state

T = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


def terminal(registered=False, ringing=0, active=0, slot=1, kind="sip"):
    return Terminal(slot=slot, kind=kind, registered=registered, calls_ringing=ringing, calls_active=active)


def expected(terminals: list[Terminal]) -> tuple[State, int]:
    """DESIGN.md's sentence, written out again independently of the code under test."""
    if any(t.calls_active for t in terminals):
        return State.RED, sum(t.calls_active for t in terminals)
    if any(t.calls_ringing for t in terminals):
        return State.ORANGE, sum(t.calls_ringing for t in terminals)
    if any(t.registered for t in terminals):
        return State.GREEN, 0
    return State.GREY, 0


# Every combination of (registered, ringing, active) per terminal for one and two terminals: the
# rule's whole truth table, counts included.
ONE = [terminal(r, g, a) for r, g, a in itertools.product([False, True], [0, 1, 2], [0, 1, 3])]
TWO = [[a, dataclasses.replace(b, slot=2, kind="dect")] for a, b in itertools.product(ONE, ONE)]


@pytest.mark.parametrize("terminals", [[], *([t] for t in ONE), *TWO])
def test_user_state_follows_the_rule_for_every_combination(terminals):
    assert user_state(terminals) == expected(terminals)


@pytest.mark.parametrize(
    ("terminals", "state", "calls"),
    [
        ([], State.GREY, 0),
        ([terminal(registered=False)], State.GREY, 0),
        ([terminal(registered=True)], State.GREEN, 0),
        ([terminal(registered=False), terminal(registered=True, slot=2, kind="dect")], State.GREEN, 0),
        ([terminal(registered=True, ringing=1)], State.ORANGE, 1),
        ([terminal(registered=True, ringing=1), terminal(ringing=2, slot=2, kind="mobile")], State.ORANGE, 3),
        ([terminal(registered=True, active=1)], State.RED, 1),
        # active wins over ringing, and only active calls are counted
        ([terminal(registered=True, active=1, ringing=4), terminal(active=2, slot=3, kind="usb")], State.RED, 3),
        # a terminal that is not registered still makes its user busy while it has a call
        ([terminal(registered=False, active=1)], State.RED, 1),
    ],
)
def test_user_state_examples(terminals, state, calls):
    assert user_state(terminals) == (state, calls)


@pytest.mark.parametrize(
    ("pushed", "live", "ended", "registered"),
    [
        (False, False, None, False),  # nothing says registered
        (True, False, None, True),  # the push alone (no binding ever)
        (False, True, None, True),  # a live binding without (or against) the push
        (True, True, None, True),
        (True, True, T + MINUTE, True),  # one binding ended, another is live
        (True, False, T - MINUTE, True),  # a binding ended before the push: the push is newer
        (True, False, T, True),  # ... or at the same moment
        (True, False, T + MINUTE, False),  # every binding gone after the push
        (False, False, T + MINUTE, False),
    ],
)
def test_a_sip_terminal_follows_its_bindings(pushed, live, ended, registered):
    assert sip_registered(pushed=pushed, pushed_at=T, live_binding=live, last_binding_end=ended) is registered


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("192.0.2.7", "http://192.0.2.7/"),
        ("192.0.2.7:8080", "http://192.0.2.7:8080/"),
        ("2001:db8::7", "http://[2001:db8::7]/"),
        ("[2001:db8::7]:8443", "http://[2001:db8::7]:8443/"),
        ("Phone-12.Office.lan", "http://phone-12.office.lan/"),
        ("gigaset-base", "http://gigaset-base/"),
        ("", None),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)//", None),
        ("http://192.0.2.7/", None),
        ("sip:1932@192.0.2.7", None),
        ("192.0.2.7/admin", None),
        ('192.0.2.7" onmouseover="x', None),
        ("+39 333 1234567", None),
        ("192.0.2.7:99999", None),
        ("192.0.2.7:0", None),
        ("-bad-.lan", None),
        ("999.1.1.1", None),
        ("[2001:db8::7]x", None),
        ("[192.0.2.7]", None),
    ],
)
def test_device_links_are_built_only_from_a_validated_host(address, url):
    assert device_url(address) == url


def test_terminals_of_sip_type_link_others_do_not():
    assert Terminal(1, "sip", True, address="192.0.2.7").link == "http://192.0.2.7/"
    assert Terminal(2, "dect", True, address="192.0.2.8").link == "http://192.0.2.8/"
    assert Terminal(3, "usb", True, address="192.0.2.9").link is None
    assert Terminal(4, "mobile", True, address="192.0.2.10").link is None


@pytest.mark.parametrize(
    ("contact", "host"),
    [
        ("sip:1932@192.168.10.20:5060", "192.168.10.20"),
        ("<sip:1932@192.168.10.20:5060;transport=udp>", "192.168.10.20"),
        ("sips:1932@phone.example.com;transport=tls", "phone.example.com"),
        ("sip:1932@[2001:db8::5]:5060", "2001:db8::5"),
        ("sip:192.0.2.1", "192.0.2.1"),
    ],
)
def test_contact_host(contact, host):
    assert contact_host(contact) == host
