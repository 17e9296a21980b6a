"""Demo terminal states, consistent with the demo registrations: the desk phone (or analog adapter)
of every account with a live binding is its SIP terminal 1, at the binding's contact address
with its user agent as the model; some people also have a DECT handset on the office's SIP base,
a USB headset on their PC, a mobile client. A few are in a call (RED, some with two), a few are
ringing (ORANGE); the rest are free (GREEN) or, with no live binding, not registered (GREY): every
terminal of theirs is off then. Two days of pushes lead up to each current state (the diagnostics' terminal
changes), the newest of them being that state.
"""

import datetime
import random

from django.utils import timezone

from registrations.models import Account, RegistrationBinding

from .models import TerminalKind, TerminalState, TerminalStateEvent
from .rules import contact_host, device_url

DECT = ("Gigaset S700H PRO (N870 IP PRO base)", "192.168.10.5")
HEADSETS = ["Jabra Evolve2 40 USB", "Poly Blackwire 5220 USB", "EPOS IMPACT SC 160 USB"]
GUI_CLIENT = "UC desktop client 8.5"
MOBILES = ["iPhone 15 (mobile client)", "Pixel 8 (mobile client)", "Galaxy S24 (mobile client)"]


def _terminals(rng: random.Random, account: Account, binding: RegistrationBinding | None) -> list[dict]:
    """The account's terminals now, before calls are placed on them."""
    terminals = []
    if binding is not None:
        host = contact_host(binding.contact)
        address = host if device_url(host) else binding.remote_ip
        terminals.append({"terminal": 1, "kind": TerminalKind.SIP, "address": address, "model": binding.user_agent})
    elif account.active and rng.random() < 0.5:  # a desk phone that is off: pushed, not registered
        address = f"192.168.10.{rng.randrange(20, 250)}"
        terminals.append({"terminal": 1, "kind": TerminalKind.SIP, "address": address, "model": "Yealink SIP-T46U"})
    if not account.active:  # a deactivated account whose softphone still registers: that phone only
        for terminal in terminals:
            terminal.update(registered=True, calls_ringing=0, calls_active=0)
        return terminals
    if account.department in ("Warehouse", "Support", "Reception") and rng.random() < 0.35:
        terminals.append({"terminal": 2, "kind": TerminalKind.DECT, "address": DECT[1], "model": DECT[0]})
    if rng.random() < 0.2:
        pc = f"pc-{account.username}.office.lan"
        terminals.append({"terminal": 3, "kind": TerminalKind.USB, "address": pc, "model": rng.choice(HEADSETS)})
    elif account.pk % 4 == 0:  # the user's own softphone client, logged in on their PC
        pc = f"pc-{account.username}.office.lan"
        terminals.append({"terminal": 3, "kind": TerminalKind.GUI, "address": pc, "model": GUI_CLIENT})
    if account.mobile and rng.random() < 0.25:
        terminals.append(
            {"terminal": 4, "kind": TerminalKind.MOBILE, "address": account.mobile, "model": rng.choice(MOBILES)}
        )
    for terminal in terminals:
        # The handsets, headsets and mobile clients register with the same registrar as the desk
        # phone: a user is on (GREEN, RED, ORANGE) exactly when a binding of theirs is live, so the
        # dashboard's "online" and "not registered" figures add up to the accounts.
        terminal.update(registered=binding is not None and rng.random() > 0.05, calls_ringing=0, calls_active=0)
    return terminals


def _place_calls(rng: random.Random, terminals: list[dict]) -> None:
    """About one person in ten is in a call (a few in two), one in twenty is ringing."""
    usable = [terminal for terminal in terminals if terminal["registered"]]
    if not usable:
        return
    roll = rng.random()
    if roll < 0.1:
        rng.choice(usable)["calls_active"] = 2 if rng.random() < 0.2 else 1
    elif roll < 0.15:
        rng.choice(usable)["calls_ringing"] = 1


def _history(rng: random.Random, account: Account, terminal: dict, now: datetime.datetime, counter: list[int]):
    """Pushes of the last two days for one terminal: calls ringing, answered, hung up; the last
    push is the current state."""
    moments = sorted(now - datetime.timedelta(seconds=rng.randint(600, 2 * 86400)) for _ in range(rng.randint(2, 14)))
    pushes = []
    for moment in moments:
        ring = {"registered": True, "calls_ringing": 1, "calls_active": 0}
        talk = {"registered": True, "calls_ringing": 0, "calls_active": 1}
        idle = {"registered": True, "calls_ringing": 0, "calls_active": 0}
        steps = [(ring, 0), (talk, rng.randint(3, 25)), (idle, rng.randint(30, 900))]
        if rng.random() < 0.25:
            steps = [(ring, 0), (idle, rng.randint(5, 30))]  # not answered
        elapsed = 0
        for state, after in steps:
            elapsed += after
            pushes.append((moment + datetime.timedelta(seconds=elapsed), state))
    final_time = now - datetime.timedelta(seconds=rng.randint(5, 590))
    pushes.append((final_time, {key: terminal[key] for key in ("registered", "calls_ringing", "calls_active")}))
    rows = []
    for moment, state in pushes:
        if moment >= final_time and state is not pushes[-1][1]:
            continue  # a call of the last minutes: the current state says how it stands
        counter[0] += 1
        fields = {key: terminal[key] for key in ("terminal", "kind", "address", "model")}
        rows.append(
            TerminalStateEvent(
                account=account,
                event_id=f"demo-term-{counter[0]}",
                timestamp=moment,
                received_at=moment,
                **fields,
                **state,
            )
        )
    return rows


def seed(*, rng: random.Random, scale: float, now: datetime.datetime | None = None) -> str:
    if TerminalState.objects.exists():
        return "terminal states already present"
    now = (now or timezone.now()).replace(microsecond=0)
    live: dict[int, RegistrationBinding] = {}
    for binding in RegistrationBinding.objects.filter(removed_at__isnull=True, expires_at__gt=now).order_by(
        "registered_at", "id"
    ):
        live[binding.account_id] = binding
    states, history, counter = [], [], [0]
    for account in Account.objects.order_by("username"):
        terminals = _terminals(rng, account, live.get(account.pk))
        _place_calls(rng, terminals)
        for terminal in terminals:
            pushes = _history(rng, account, terminal, now, counter)
            history.extend(pushes)
            last = pushes[-1]
            states.append(
                TerminalState(
                    account=account,
                    event_id=last.event_id,
                    timestamp=last.timestamp,
                    updated_at=now,
                    **{key: terminal[key] for key in ("terminal", "kind", "address", "model", "registered")},
                    calls_ringing=terminal["calls_ringing"],
                    calls_active=terminal["calls_active"],
                )
            )
    TerminalState.objects.bulk_create(states, batch_size=2000)
    TerminalStateEvent.objects.bulk_create(history, batch_size=2000)
    users = len({state.account_id for state in states})
    return f"{len(states)} terminal states of {users} users, {len(history)} pushes in the last two days"
