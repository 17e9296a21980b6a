"""The demo's phones: registrations refreshed, left to lapse or back again; terminals that follow
them; calls that ring, are answered or missed and hang up with their CDR; a scanner's attempts."""

import datetime

from django.conf import settings

from monitoring.models import TerminalState
from registrations.models import Account, RegistrationBinding

from .tick import Tick, iso, online_at, stable

OFFICE_NAT = "203.0.113.10"
DESK_AGENT = "Yealink SIP-T46U 108.86.0.20"
SCANNER = ("185.220.101.7", ["admin", "100", "1000", "test", "sip"])
CALLS_PER_USER_MINUTE = 0.01
ONLINE_SHARE = 0.9  # offline phones come back quickly below this share of active accounts online


def _register(tick: Tick, binding_like: dict, moment: datetime.datetime, expires: int) -> None:
    tick.registrations.append(
        {**binding_like, "event_id": tick.event_id("reg"), "timestamp": iso(moment), "expires": expires}
    )
    tick.sip.append(
        {
            "event_id": tick.event_id("sip"),
            "timestamp": iso(moment),
            "event": "REGISTER",
            "username": binding_like["username"],
            "remote_ip": binding_like["remote_ip"],
            "remote_port": binding_like["remote_port"],
            "transport": binding_like["transport"],
            "details": f"200 OK, expires {expires}",
        }
    )


def play_registrations(tick: Tick) -> None:
    """Refreshes of the live bindings (one in 25 is never refreshed and expires), an EXPIRED event
    for each that lapsed in the span, and offline phones registering again."""
    fields = ("username", "contact", "remote_ip", "remote_port", "transport", "user_agent")
    bindings = RegistrationBinding.objects.filter(removed_at__isnull=True, expires_at__gt=tick.last).order_by("id")
    for binding in bindings:
        period = max(int((binding.expires_at - binding.refreshed_at).total_seconds()), 60)
        if binding.expires_at <= tick.now:
            tick.sip.append(
                {
                    "event_id": tick.event_id("sip"),
                    "timestamp": iso(binding.expires_at),
                    "event": "EXPIRED",
                    "username": binding.username,
                    "remote_ip": binding.remote_ip,
                    "remote_port": binding.remote_port,
                    "transport": binding.transport,
                    "details": f"binding of {binding.contact} expired",
                }
            )
            continue
        due = binding.refreshed_at + datetime.timedelta(seconds=period // 2)
        if stable(binding.event_id, 25) == 0 or due > tick.now:
            continue
        _register(tick, {name: getattr(binding, name) for name in fields}, max(due, tick.last), period)
    online = online_at(tick.now)  # the refreshes above are all of bindings still live now
    offline = list(Account.objects.filter(active=True).exclude(pk__in=online).order_by("pk"))
    active = Account.objects.filter(active=True).count()
    per_minute = 0.3 if len(online) < ONLINE_SHARE * active else 0.01
    for account in offline:
        if tick.chance(per_minute):
            contact = f"sip:{account.username}@192.168.10.{20 + stable(account.username, 230)}:5060"
            desk = {"username": account.username, "contact": contact, "remote_ip": OFFICE_NAT, "transport": "UDP"}
            desk.update(remote_port=tick.rng.randrange(20000, 60000), user_agent=DESK_AGENT)
            _register(tick, desk, tick.moment(), 3600)


def leaving(tick: Tick, online: set[int]) -> set[int]:
    """Online accounts whose every live binding is one left to lapse and ends before the next
    tick: their phone was unplugged, so their other terminals go off now, and no moment shows a
    user on (GREEN) without a live binding."""
    horizon = tick.now + datetime.timedelta(seconds=2 * settings.DEMO_INTERVAL)
    staying = set()
    live = RegistrationBinding.objects.filter(account_id__in=online, removed_at__isnull=True, expires_at__gt=tick.now)
    for account_id, event_id, expires_at in live.values_list("account_id", "event_id", "expires_at"):
        if stable(event_id, 25) != 0 or expires_at > horizon:
            staying.add(account_id)
    return online - staying


def _push(tick: Tick, state: TerminalState, username: str, **changes) -> None:
    values = {
        "registered": state.registered,
        "calls_ringing": state.calls_ringing,
        "calls_active": state.calls_active,
        **changes,
    }
    tick.terminals.append(
        {
            "event_id": tick.event_id("term"),
            "timestamp": iso(tick.now),
            "username": username,
            "terminal": state.terminal,
            "kind": state.kind,
            "address": state.address,
            "model": state.model,
            **values,
        }
    )


def play_terminals_and_calls(tick: Tick, online_before: set[int], online: set[int], leaving: set[int]) -> None:
    """Terminals follow the bindings (off with the account's last one, on again with its first);
    calls ring on free users' terminals, are answered or missed, and hang up with their CDR."""
    states = list(TerminalState.objects.select_related("account").order_by("account_id", "terminal"))
    numbers = {a.pk: (a.extension or a.username, a.display_name or a.username) for a in Account.objects.all()}
    busy = {state.account_id for state in states if state.calls_active or state.calls_ringing}
    for state in states:
        key, username = f"{state.account_id}:{state.terminal}", state.account.username
        if state.account_id not in online or state.account_id in leaving:
            busy.add(state.account_id)
            if state.registered or state.calls_active or state.calls_ringing:
                _hang_up(tick, state, numbers, answered=bool(state.calls_active))
                _push(tick, state, username, registered=False, calls_ringing=0, calls_active=0)
            continue
        if state.account_id not in online_before and not state.registered:
            _push(tick, state, username, registered=True)
        elif state.calls_active and tick.chance(0.35):
            _hang_up(tick, state, numbers, answered=True)
            _push(tick, state, username, calls_active=0, calls_ringing=0)
        elif state.calls_ringing and tick.chance(0.7):
            answered = tick.rng.random() < 0.75
            if answered:
                tick.calls.setdefault(key, _call(tick, state, numbers))["answered_at"] = iso(tick.now)
                _push(tick, state, username, calls_ringing=0, calls_active=1)
            else:
                _hang_up(tick, state, numbers, answered=False)
                _push(tick, state, username, calls_ringing=0)
    free = [s for s in states if s.account_id in online and s.account_id not in busy and s.registered]
    expected = len(online) * CALLS_PER_USER_MINUTE * _minutes(tick)
    count = int(expected) + (tick.rng.random() < expected % 1)
    for state in tick.rng.sample(free, min(len(free), count)):
        tick.calls[f"{state.account_id}:{state.terminal}"] = _call(tick, state, numbers)
        _push(tick, state, state.account.username, calls_ringing=1)
    if len(numbers) > 1 and tick.chance(0.3):  # a call that rang no phone here: busy, congested
        caller, callee = tick.rng.sample(sorted(numbers), 2)
        _cdr(tick, numbers[caller], numbers[callee][0], tick.moment(), None, tick.rng.choice(["BUSY", "CONGESTION"]))


def _minutes(tick: Tick) -> float:
    return (tick.now - tick.last).total_seconds() / 60


def _call(tick: Tick, state: TerminalState, numbers: dict) -> dict:
    caller = tick.rng.choice([pk for pk in numbers if pk != state.account_id] or [state.account_id])
    return {"src": numbers[caller][0], "clid": numbers[caller][1], "rang_at": iso(tick.now)}


def _hang_up(tick: Tick, state: TerminalState, numbers: dict, *, answered: bool) -> None:
    """The CDR of the terminal's call (one seeded before the demo ran gets an outside caller), and
    the callee's CONNECT/DISCONNECT as the SIP server logs them, by address only."""
    call = tick.calls.pop(f"{state.account_id}:{state.terminal}", None) or {
        "src": f"+3906{stable(str(state.pk), 10**7):07d}",
        "clid": "",
        "rang_at": iso(state.timestamp),
    }
    rang_at = min(datetime.datetime.fromisoformat(call["rang_at"]), tick.now)
    answered_at = datetime.datetime.fromisoformat(call["answered_at"]) if answered and "answered_at" in call else None
    if answered and answered_at is None:
        answered_at = min(rang_at + datetime.timedelta(seconds=6), tick.now)
    callee = numbers[state.account_id][0]
    _cdr(tick, (call["src"], call["clid"]), callee, rang_at, answered_at, "ANSWERED" if answered else "NO ANSWER")
    binding = (
        RegistrationBinding.objects.filter(account_id=state.account_id, removed_at__isnull=True)
        .order_by("-expires_at")
        .first()
    )
    if answered and binding is not None:
        for event, moment in (("CONNECT", answered_at), ("DISCONNECT", tick.now)):
            tick.sip.append(
                {
                    "event_id": tick.event_id("sip"),
                    "timestamp": iso(moment),
                    "event": event,
                    "remote_ip": binding.remote_ip,
                    "remote_port": binding.remote_port,
                    "transport": binding.transport,
                    "details": f"call from {call['src']}",
                }
            )


def _cdr(tick: Tick, caller: tuple, callee: str, start, answered_at, disposition: str) -> None:
    end = tick.now if answered_at or disposition == "NO ANSWER" else start + datetime.timedelta(seconds=2)
    duration = max(int((end - start).total_seconds()), 0)
    billsec = min(max(int((end - answered_at).total_seconds()), 0), duration) if answered_at else 0
    tick.channels += 2
    serial = tick.channels
    uniqueid = f"{int(start.timestamp())}.{serial}"
    tick.cdrs.append(
        {
            "uniqueid": uniqueid,
            "sequence": serial,
            "linkedid": uniqueid,
            "src": caller[0],
            "dst": callee,
            "dcontext": "from-internal",
            "clid": f'"{caller[1]}" <{caller[0]}>' if caller[1] else caller[0],
            "channel": f"PJSIP/{caller[0]}-{serial:08x}",
            "dstchannel": f"PJSIP/{callee}-{serial + 1:08x}",
            "lastapp": "Dial",
            "lastdata": f"PJSIP/{callee},30",
            "start": iso(start),
            "answer": iso(answered_at) if answered_at else None,
            "end": iso(end),
            "duration": duration,
            "billsec": billsec,
            "disposition": disposition,
            "amaflags": "DOCUMENTATION",
        }
    )


def play_scanner(tick: Tick) -> None:
    """A scanner on the internet guessing accounts: AUTH_FAILED, as every exposed server sees."""
    if tick.chance(0.2):
        ip, names = SCANNER
        tick.sip.append(
            {
                "event_id": tick.event_id("sip"),
                "timestamp": iso(tick.moment()),
                "event": "AUTH_FAILED",
                "username": tick.rng.choice(names),
                "remote_ip": ip,
                "remote_port": tick.rng.randrange(5060, 5090),
                "transport": "UDP",
                "details": "401 Unauthorized: wrong password",
            }
        )
