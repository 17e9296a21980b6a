"""The monitoring rules as plain functions (DESIGN.md "terminal-states/"): a user's state from the
terminals, when a SIP terminal counts as registered, and which device links are safe to draw."""

import datetime
import functools
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from .models import TerminalKind

KIND_LABELS = dict(TerminalKind.choices)


class State(models.TextChoices):
    """The sticker colours of the seed; the label is what the sticker's hover says."""

    RED = "RED", "busy"
    ORANGE = "ORANGE", "ringing"
    GREEN = "GREEN", "free"
    GREY = "GREY", "not registered"


@dataclass(slots=True)
class Terminal:
    """One terminal icon of a user. `source` says where it comes from: `push` (terminal-states/),
    `binding` (a live registration with no SIP terminal pushed) or `account` (the mobile number)."""

    slot: int
    kind: str
    registered: bool
    calls_ringing: int = 0
    calls_active: int = 0
    address: str = ""
    model: str = ""
    source: str = "push"
    # For a pushed SIP terminal: what the push itself said, before the bindings had their say.
    pushed_registered: bool | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def link(self) -> str | None:
        """A SIP-type terminal (IP phone, DECT on a SIP base) opens its web interface (seed 004)."""
        return device_url(self.address) if self.kind in (TerminalKind.SIP, TerminalKind.DECT) else None

    @property
    def hover(self) -> str:
        """What the mouse over the icon tells (seed 003): address, model, registration, calls."""
        if self.source == "account":
            return f"{self.label}: {self.address} (the mobile number of the account)"
        registered = "yes" if self.registered else "no"
        if self.kind == TerminalKind.GUI:
            address = f"\nAddress: {self.address}" if self.address else ""
            client = f"\nClient: {self.model}" if self.model else ""
            return (
                f"{self.label} · terminal {self.slot}{address}{client}\nActive: {registered}"
                f"\nCalls: {self.calls_active} active, {self.calls_ringing} ringing"
            )
        if self.source == "binding":
            registered += " (live registration binding)"
        elif self.pushed_registered is not None and self.pushed_registered != self.registered:
            registered += " (live registration binding)" if self.registered else " (its registration bindings ended)"
        address = f"\nAddress: {self.address}" if self.address else ""
        model = f"\nModel: {self.model}" if self.model else ""
        return (
            f"{self.label} · terminal {self.slot}{address}{model}\nRegistered: {registered}"
            f"\nCalls: {self.calls_active} active, {self.calls_ringing} ringing"
        )


def user_state(terminals: Iterable[Terminal]) -> tuple[State, int]:
    """(state, calls): RED when any terminal has active calls (calls = all active calls), else
    ORANGE when any rings (calls = all ringing calls), else GREEN when any terminal is registered,
    else GREY (calls 0 for both)."""
    terminals = list(terminals)
    active = sum(terminal.calls_active for terminal in terminals)
    if active:
        return State.RED, active
    ringing = sum(terminal.calls_ringing for terminal in terminals)
    if ringing:
        return State.ORANGE, ringing
    if any(terminal.registered for terminal in terminals):
        return State.GREEN, 0
    return State.GREY, 0


def sip_registered(
    *,
    pushed: bool,
    pushed_at: datetime.datetime,
    live_binding: bool,
    last_binding_end: datetime.datetime | None,
) -> bool:
    """Whether a pushed SIP terminal counts as registered: the registrar's bindings have a say.

    A live binding of the account (not expired, not removed) is proof of a registration, whatever
    the push said. Without one, the push's `registered` holds only if no binding of the account
    ended after it (`last_binding_end`: the latest end, by unregister, move or expiry, of a binding
    that is over): the terminal's registration went away with its bindings.
    """
    if live_binding:
        return True
    return pushed and (last_binding_end is None or last_binding_end <= pushed_at)


_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_PORT = re.compile(r"^[0-9]{1,5}$")


def _host(text: str) -> str | None:
    """The host as it goes into a URL, or None when it is neither an IP address nor a DNS name."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    name = text.rstrip(".")
    if not name or len(name) > 253 or name.replace(".", "").isdigit():
        return None
    labels = name.split(".")
    return name.lower() if all(_HOST_LABEL.match(label) for label in labels) else None


@functools.lru_cache(maxsize=16384)
def device_url(address: str) -> str | None:
    """`http://<address>/` for a terminal's web interface, built only from a validated IP address
    or host name with an optional port (`192.0.2.7`, `[2001:db8::7]:8080`, `phone-12.lan`);
    anything else (a URL, a SIP URI, a phone number, `javascript:...`) gives no link at all."""
    text = (address or "").strip()
    port = None
    if text.startswith("["):
        inside, _, rest = text[1:].partition("]")
        if rest and not (rest.startswith(":") and _PORT.match(rest[1:])):
            return None
        text, port = inside, rest[1:] or None
        if ":" not in text:
            return None
    elif text.count(":") == 1:
        text, port = text.split(":")
        if not _PORT.match(port):
            return None
    host = _host(text)
    if host is None or (port is not None and not 0 < int(port) < 65536):
        return None
    return f"http://{host}:{int(port)}/" if port else f"http://{host}/"


def contact_host(contact: str) -> str:
    """The host of a SIP Contact URI (`sip:1932@192.168.10.20:5060;transport=udp` -> 192.168.10.20)."""
    text = contact.strip().strip("<>")
    text = text.split(";", 1)[0]
    if ":" in text and text.split(":", 1)[0].lower() in ("sip", "sips"):
        text = text.split(":", 1)[1]
    text = text.rsplit("@", 1)[-1]
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    return text.split(":", 1)[0]
