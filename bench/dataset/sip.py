"""A year of the SIP activity log, in time order.

Registrations and their failures name the account; CONNECT, DISCONNECT, NETWORK_ERROR and
TIMEOUT come bound to the remote address of the account's binding then. Most of those were
reconciled long ago (bound, or ambiguous at an adapter's shared address); a backlog of them is
still pending (the reconciliation task was down), with those from an address nobody was
registered at. Scanners try guessed usernames and get rejected from addresses of their own.
"""

import random

from .clock import busy_seconds, stamp
from .loading import copy_lines
from .people import Account

# (event, weight, kind): kind says where the username and address come from.
EVENTS = [
    ("REGISTER", 40, "named"),
    ("UNREGISTER", 2, "named"),
    ("EXPIRED", 2, "named"),
    ("REGISTER_FAILED", 2, "named"),
    ("AUTH_FAILED", 6, "guessed"),
    ("REJECTED", 3, "scanner"),
    ("CONNECT", 17, "address"),
    ("DISCONNECT", 17, "address"),
    ("NETWORK_ERROR", 6, "address"),
    ("TIMEOUT", 5, "address"),
]
DETAILS = {
    "REGISTER": "REGISTER accepted: 200 OK, expires 3600",
    "UNREGISTER": "REGISTER with expires 0: binding removed",
    "EXPIRED": "binding lapsed without refresh",
    "REGISTER_FAILED": "REGISTER refused: 403 Forbidden",
    "AUTH_FAILED": "digest authentication failed: 401 Unauthorized",
    "REJECTED": "request refused by policy: blocked address",
    "CONNECT": "connection opened",
    "DISCONNECT": "connection closed",
    "NETWORK_ERROR": "transport error: connection reset by peer",
    "TIMEOUT": "keep-alive got no answer within 32 s",
}
GUESSES = ["admin", "100", "1000", "test", "sip", "user", "operator", "200", "guest", "asterisk"]
PENDING_SHARE = 0.16
COLUMNS = [
    "event_id",
    "time",
    "event",
    "details",
    "remote_ip",
    "remote_port",
    "transport",
    "username",
    "reconciled",
    "ambiguous",
    "reconciled_at",
    "account_id",
]


def _weights() -> list[tuple[float, str, str]]:
    total = sum(weight for _, weight, _ in EVENTS)
    cumulative, out = 0.0, []
    for name, weight, kind in EVENTS:
        cumulative += weight / total
        out.append((cumulative, name, kind))
    return out


def _lines(rng: random.Random, accounts: list[Account], count: int):
    table = _weights()
    scanners = [f"45.{rng.randrange(1, 250)}.{rng.randrange(250)}.{rng.randrange(1, 250)}" for _ in range(2000)]
    for number, epoch in enumerate(busy_seconds(rng, count)):
        draw = rng.random()
        name, kind = next((name, kind) for edge, name, kind in table if draw <= edge)
        if kind == "guessed" and rng.random() < 0.5:
            kind = "named"
        when = stamp(epoch)
        username, account_id, reconciled, ambiguous, reconciled_at = "", "\\N", "f", "f", "\\N"
        if kind in ("guessed", "scanner"):
            ip, port, transport = rng.choice(scanners), str(rng.randrange(1024, 65535)), "UDP"
            if kind == "guessed":
                username = rng.choice(GUESSES)
        else:
            account = accounts[rng.randrange(len(accounts))]
            if kind == "named":
                (ip, port, transport), username, account_id = account.address_at(epoch), account.username, account.id
            else:
                k = account.binding_at(epoch)
                ip, port, transport = account.address_at(epoch) if k is None else account.addresses[k]
                if k is not None and rng.random() >= PENDING_SHARE:
                    reconciled_at = stamp(epoch + 60)
                    if account.shared[k]:
                        ambiguous = "t"
                    else:
                        username, account_id, reconciled = account.username, account.id, "t"
            port = str(port)
        yield "\t".join(
            [
                f"sip-{number:09d}",
                when,
                name,
                DETAILS[name],
                ip,
                port,
                transport,
                username,
                reconciled,
                ambiguous,
                reconciled_at,
                str(account_id),
            ]
        )


def load_sip_events(rng: random.Random, accounts: list[Account], count: int) -> int:
    return copy_lines("sip_sessions_sipevent", COLUMNS, _lines(rng, accounts, count))
