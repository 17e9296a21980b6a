"""How a remote address typed in a filter is read."""

import pytest

from registrations.filters import parse_address
from registrations.models import remote_address


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("203.0.113.7", ("203.0.113.7", None, None)),
        ("203.0.113.7:5060", ("203.0.113.7", 5060, None)),
        (" 203.0.113.7:5060/udp ", ("203.0.113.7", 5060, "UDP")),
        ("203.0.113.7/tls", ("203.0.113.7", None, "TLS")),
        ("[2001:db8::1]:5061/tls", ("2001:db8::1", 5061, "TLS")),
        ("2001:db8::1", ("2001:db8::1", None, None)),
        ("203.0.113.", (None, None, None)),
        ("203.0.113:5060", (None, 5060, None)),
    ],
)
def test_parse_address(text, parsed):
    assert parse_address(text) == parsed


def test_remote_address_is_written_as_operators_read_it():
    assert remote_address("203.0.113.7", 5060, "UDP") == "203.0.113.7:5060/UDP"
    assert remote_address("2001:db8::1", 5061, "TLS") == "[2001:db8::1]:5061/TLS"
    assert remote_address("203.0.113.7", None, "") == "203.0.113.7"
    assert remote_address(None, None, "") == ""
