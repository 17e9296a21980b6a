"""Demo SIP activity over the registrations' three weeks, then one reconciliation run.

Per binding: its REGISTER (named), CONNECT/DISCONNECT flows at its address (unnamed: for
reconciliation), and how it ended: UNREGISTER, EXPIRED, or a NETWORK_ERROR and DISCONNECT before
the NAT moved it. User 1932 loses the connection yesterday (the seed's figure). Scanners from
outside guess usernames, fail and get rejected: their unnamed events never find a binding and stay
pending; events at the warehouse adapters (two accounts on one address) end up ambiguous.
"""

import datetime
import random

from django.utils import timezone

from registrations.models import RegistrationBinding
from voipadmin.partitions import ensure_partitions_for

from .models import SipEvent
from .reconcile import reconcile

NETWORK_ERRORS = [
    "Connection reset by peer",
    "ICMP port unreachable from {ip}",
    "TLS handshake failed: certificate verify failed",
    "Broken pipe while sending 200 OK",
]
SCANNER_NAMES = ["admin", "100", "1000", "test", "sip", "guest", "101", "asterisk"]
SCANNER_AGENTS = ["friendly-scanner", "sipvicious", "VaxSIPUserAgent/3.1"]


class _Log:
    def __init__(self, rng: random.Random, now: datetime.datetime):
        self.rng, self.now, self.rows = rng, now, []

    def add(self, moment, event, details, *, ip=None, port=None, transport="", username="") -> None:
        if moment > self.now:
            return
        self.rows.append(
            SipEvent(
                event_id=f"demo-sip-{len(self.rows) + 1}",
                time=moment,
                event=event,
                details=details,
                remote_ip=ip,
                remote_port=port,
                transport=transport,
                username=username,
            )
        )


def _binding_events(log: _Log, binding: RegistrationBinding, scale: float) -> None:
    rng = log.rng
    where = {"ip": binding.remote_ip, "port": binding.remote_port, "transport": binding.transport}
    log.add(binding.registered_at, "REGISTER", f"200 OK, expires {3600 if binding.transport == 'UDP' else 600}",
            username=binding.username, **where)  # fmt: skip
    end = min(binding.removed_at or binding.expires_at, binding.expires_at, log.now)
    hours = max((end - binding.registered_at).total_seconds() / 3600, 0.1)
    # a flow every few hours; the warehouse adapters (always on, two lines) talk less
    rate = rng.uniform(0.05, 0.2) * (0.25 if binding.user_agent.startswith("Grandstream") else 1)
    for _ in range(int(hours * rate * scale) + 1):
        start = binding.registered_at + (end - binding.registered_at) * rng.random()
        log.add(start, "CONNECT", f"{binding.transport} flow opened from {binding.remote_address}", **where)
        close = start + datetime.timedelta(seconds=rng.randint(5, 900))
        if close < end:
            log.add(close, "DISCONNECT", "flow closed normally", **where)
        if rng.random() < 0.03:
            log.add(start + datetime.timedelta(seconds=32), "TIMEOUT", "no ACK for 200 OK within 32 s", **where)
    if binding.removed_reason == "unregister":
        log.add(binding.removed_at, "UNREGISTER", "200 OK, expires 0", username=binding.username, **where)
    elif binding.removed_reason == "moved":
        error = rng.choice(NETWORK_ERRORS).format(ip=binding.remote_ip)
        log.add(binding.removed_at - datetime.timedelta(seconds=rng.randint(2, 40)), "NETWORK_ERROR", error, **where)
        log.add(binding.removed_at - datetime.timedelta(seconds=1), "DISCONNECT", "disconnected after NETWORK_ERROR",
                **where)  # fmt: skip
    elif binding.expires_at <= log.now:
        log.add(binding.expires_at, "EXPIRED", "binding expired: no refresh", username=binding.username, **where)


# The figure's events: CONNECT, the NETWORK_ERROR 3 minutes later, the DISCONNECT a second after.
FIGURE_SPAN = datetime.timedelta(minutes=4)


def _figure_moment(
    binding: RegistrationBinding, bindings: list[RegistrationBinding], now: datetime.datetime
) -> datetime.datetime | None:
    """When user 1932's connection drops inside `binding`: about 20 hours ago, clamped into
    [registered_at, min(end, now) - 4 min] so reconciliation binds the events to 1932. None when
    the binding is too short, or another account shares its address then (they would be ambiguous)."""
    latest = min(binding.ends_at, now) - FIGURE_SPAN
    if latest < binding.registered_at:
        return None
    moment = min(max(binding.registered_at, now - datetime.timedelta(hours=20)), latest)
    address = (binding.remote_ip, binding.remote_port, binding.transport)
    for other in bindings:
        if (
            other.account_id != binding.account_id
            and (other.remote_ip, other.remote_port, other.transport) == address
            and other.registered_at <= moment + FIGURE_SPAN
            and moment < other.ends_at
        ):
            return None
    return moment


def _seed_figure(log: _Log, bindings: list[RegistrationBinding]) -> None:
    """User 1932's network error that caused a disconnection, as in the seed's figure: in the
    newest of 1932's UDP bindings that can hold it."""
    for binding in reversed(bindings):
        if binding.username != "1932" or binding.transport != "UDP":
            continue
        moment = _figure_moment(binding, bindings, log.now)
        if moment is None:
            continue
        where = {"ip": binding.remote_ip, "port": binding.remote_port, "transport": binding.transport}
        log.add(moment, "CONNECT", "UDP flow opened from " + binding.remote_address, **where)
        log.add(moment + datetime.timedelta(minutes=3), "NETWORK_ERROR", "Connection reset by peer", **where)
        log.add(moment + datetime.timedelta(minutes=3, seconds=1), "DISCONNECT", "disconnected after NETWORK_ERROR",
                **where)  # fmt: skip
        return


def _scanners(log: _Log, scale: float) -> None:
    rng = log.rng
    for _ in range(int(400 * scale)):
        ip = f"{rng.choice(['192.0.2', '198.51.100'])}.{rng.randrange(200, 255)}"
        port = rng.randrange(5000, 65000)
        moment = log.now - datetime.timedelta(seconds=rng.randint(60, 21 * 86400))
        agent = rng.choice(SCANNER_AGENTS)
        log.add(moment, "CONNECT", f"UDP flow opened, User-Agent: {agent}", ip=ip, port=port, transport="UDP")
        for attempt in range(rng.randint(1, 6)):
            name = rng.choice(SCANNER_NAMES)
            log.add(moment + datetime.timedelta(seconds=attempt * 2 + 1), "AUTH_FAILED",
                    f"401 Unauthorized: wrong password for '{name}'", ip=ip, port=port, transport="UDP",
                    username=name)  # fmt: skip
        log.add(moment + datetime.timedelta(seconds=20), "REJECTED", "403 Forbidden: address blocked (10 failures)",
                ip=ip, port=port, transport="UDP")  # fmt: skip


def seed(*, rng: random.Random, scale: float, now: datetime.datetime | None = None) -> str:
    if SipEvent.objects.exists():
        return "SIP events already present"
    now = (now or timezone.now()).replace(microsecond=0)
    log = _Log(rng, now)
    bindings = list(RegistrationBinding.objects.select_related("account").order_by("registered_at", "id"))
    for binding in bindings:
        _binding_events(log, binding, scale)
        if not binding.account.active and rng.random() < 0.5:
            log.add(binding.registered_at + datetime.timedelta(hours=1), "REGISTER_FAILED",
                    "403 Forbidden: account disabled", username=binding.username, ip=binding.remote_ip,
                    port=binding.remote_port, transport=binding.transport)  # fmt: skip
    _seed_figure(log, bindings)
    _scanners(log, scale)
    ensure_partitions_for(SipEvent, [row.time for row in log.rows])
    SipEvent.objects.bulk_create(log.rows, batch_size=5000)
    run = reconcile(mode="full")
    return (
        f"{len(log.rows)} SIP events; reconciliation bound {run.bound}, "
        f"marked {run.ambiguous} ambiguous, left {run.examined - run.bound - run.ambiguous} pending"
    )
