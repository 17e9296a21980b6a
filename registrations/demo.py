"""Demo accounts and three weeks of registration bindings.

About 150 people in departments (extensions by department: Support is 19xx, so user 1932 of the
seed is there), each with a desk phone behind the office NAT, some with a softphone at home or on
the road, and a few analog adapters whose two lines register from one address and port: the
NAT-ambiguous case reconciliation must not guess.
"""

import datetime
import random

from django.utils import timezone

from .models import Account, RegistrationBinding

DEPARTMENTS = [
    ("Sales", 11, 26),
    ("Marketing", 12, 12),
    ("Engineering", 14, 30),
    ("Finance", 16, 12),
    ("Warehouse", 17, 18),
    ("Support", 19, 36),
    ("Management", 10, 8),
    ("Reception", 13, 8),
]
FIRST = [
    "Mario", "Giulia", "Luca", "Francesca", "Marco", "Chiara", "Andrea", "Sara", "Paolo", "Elena", "John",
    "Emma", "David", "Sophie", "Ahmed", "Laura", "Piotr", "Ana", "Tomás", "Ingrid", "Kenji", "Fatima",
    "Davide", "Martina", "Stefano", "Valentina", "Alessio", "Federica", "Oliver", "Nora",
]  # fmt: skip
LAST = [
    "Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno",
    "Gallo", "Conti", "De Luca", "Costa", "Smith", "Müller", "Novak", "García", "Silva", "Lindqvist",
    "Tanaka", "Haddad", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferri",
]  # fmt: skip
DESK_AGENTS = ["Yealink SIP-T46U 108.86.0.20", "Yealink SIP-T54W 96.86.0.100", "Snom D785 10.1.159.12"]
SOFT_AGENTS = ["Linphone Desktop/5.2.6 (Windows 11)", "Zoiper rv2.10.20.5", "Acrobits Softphone/6.5 iOS"]
ATA_AGENT = "Grandstream HT802 1.0.53.2"
OFFICE_NAT = "203.0.113.10"
DAYS = 21


def _people(rng: random.Random, scale: float) -> list[Account]:
    accounts, taken = [], set()
    # A smaller scale thins the activity, not the staff: other apps' demos pick people from here.
    factor = min(max(scale, 1.0), 5.0)
    for department, prefix, size in DEPARTMENTS:
        for _ in range(round(size * factor)):
            number = 1932 if department == "Support" and 1932 not in taken else prefix * 100 + rng.randrange(1, 99)
            while number in taken:
                number = prefix * 100 + rng.randrange(1, 99)
            taken.add(number)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if number == 1932:
                first, last = "Mario", "Rossi"
            accounts.append(
                Account(
                    username=str(number),
                    display_name=f"{first} {last}",
                    first_name=first,
                    last_name=last,
                    department=department,
                    extension=str(number),
                    mobile=f"+39 3{rng.randrange(20, 49)} {rng.randrange(1000000, 9999999)}",
                    active=rng.random() > 0.03 or number == 1932,
                )
            )
    return accounts


class _Timeline:
    """Bindings of one device: one row per stretch at one address, ended the way real ones end."""

    def __init__(self, rng: random.Random, now: datetime.datetime, rows: list[RegistrationBinding]):
        self.rng, self.now, self.rows = rng, now, rows

    def add(self, account, *, contact, ip, port, transport, agent, start, end, reason, expires=3600) -> None:
        live = end is None
        if live:  # still registered: the last refresh was a few minutes ago
            last_refresh = self.now - datetime.timedelta(seconds=self.rng.randint(10, expires // 2))
            expires_at, removed_at = last_refresh + datetime.timedelta(seconds=expires), None
        else:
            last_refresh = end - datetime.timedelta(seconds=self.rng.randint(1, expires // 2))
            expires_at = last_refresh + datetime.timedelta(seconds=expires)
            removed_at = end if reason else None
            if not reason:
                expires_at = end  # it lapsed: no refresh came
        event_id = f"demo-reg-{len(self.rows) + 1}"
        self.rows.append(
            RegistrationBinding(
                account=account,
                username=account.username,
                contact=contact,
                remote_ip=ip,
                remote_port=port,
                transport=transport,
                user_agent=agent,
                registered_at=start,
                refreshed_at=max(start, min(last_refresh, expires_at)),
                expires_at=max(expires_at, start),
                removed_at=removed_at,
                removed_reason=reason,
                event_id=event_id,
                last_event_id=event_id,
            )
        )


def _desk_phone(timeline: _Timeline, account: Account, start: datetime.datetime) -> None:
    """Always on behind the office NAT; the NAT moves it to another port every day or two."""
    rng, now = timeline.rng, timeline.now
    contact = f"sip:{account.username}@192.168.10.{rng.randrange(20, 250)}:5060"
    agent = rng.choice(DESK_AGENTS)
    moment = start
    while moment < now:
        port = rng.randrange(20000, 60000)
        stretch = datetime.timedelta(hours=rng.uniform(10, 60))
        end = moment + stretch
        if end >= now:
            if account.active:
                timeline.add(account, contact=contact, ip=OFFICE_NAT, port=port, transport="UDP", agent=agent,
                             start=moment, end=None, reason="")  # fmt: skip
            return
        reason = rng.choices(["moved", "unregister", ""], weights=[6, 2, 1])[0]
        timeline.add(account, contact=contact, ip=OFFICE_NAT, port=port, transport="UDP", agent=agent,
                     start=moment, end=end, reason=reason)  # fmt: skip
        moment = end if reason == "moved" else end + datetime.timedelta(minutes=rng.randint(2, 600))


def _softphone(timeline: _Timeline, account: Account, days: int) -> None:
    """Working hours from home or the road, over TLS or WSS, closed with an unregister."""
    rng, now = timeline.rng, timeline.now
    home = f"198.51.100.{rng.randrange(2, 200)}"
    agent = rng.choice(SOFT_AGENTS)
    transport = "WSS" if "Linphone" not in agent else "TLS"
    for day in range(days, -1, -1):
        if rng.random() < 0.45:
            continue
        start = (now - datetime.timedelta(days=day)).replace(hour=8, minute=0, second=0, microsecond=0)
        start += datetime.timedelta(minutes=rng.randint(0, 180))
        end = start + datetime.timedelta(hours=rng.uniform(1, 8))
        if start >= now:
            continue
        contact = f"sip:{account.username}@{home}:{rng.randrange(30000, 65000)};transport={transport.lower()}"
        live = end >= now
        timeline.add(account, contact=contact, ip=home, port=rng.randrange(30000, 65000), transport=transport,
                     agent=agent, start=start, end=None if live else end, reason="" if live else "unregister",
                     expires=600)  # fmt: skip


def seed(*, rng: random.Random, scale: float, now: datetime.datetime | None = None) -> str:
    if Account.objects.exists():
        return "accounts already present"
    now = (now or timezone.now()).replace(microsecond=0)
    Account.objects.bulk_create(_people(rng, scale), batch_size=1000)
    accounts = list(Account.objects.order_by("username"))
    timeline = _Timeline(rng, now, [])
    first_day = now - datetime.timedelta(days=DAYS)
    singles = [account for account in accounts if account.department != "Warehouse"]
    for account in singles:
        _desk_phone(timeline, account, first_day + datetime.timedelta(minutes=rng.randint(0, 600)))
        if rng.random() < 0.3:
            _softphone(timeline, account, DAYS)
    # Warehouse: two-line analog adapters, both lines from one address and port (NAT-ambiguous).
    warehouse = [account for account in accounts if account.department == "Warehouse"]
    for pair_start in range(0, len(warehouse) - 1, 2):
        ip, port = f"192.0.2.{40 + pair_start}", 5060
        for account in warehouse[pair_start : pair_start + 2]:
            timeline.add(account, contact=f"sip:{account.username}@10.10.1.{pair_start + 2}:5060", ip=ip,
                         port=port, transport="UDP", agent=ATA_AGENT, start=first_day, end=None, reason="",
                         expires=1800)  # fmt: skip
    RegistrationBinding.objects.bulk_create(timeline.rows, batch_size=2000)
    live = sum(1 for row in timeline.rows if row.removed_at is None and row.expires_at > now)
    return f"{len(accounts)} accounts, {len(timeline.rows)} registration bindings ({live} live)"
