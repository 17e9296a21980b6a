"""Accounts and their registration bindings over the year.

5,000 people at 1,500 sites (a NAT address each). Each account registers from a run of bindings
that cover the year back to back, each from a new NAT port (a phone that re-registers after a
router restart, a softphone that moves); between two bindings the phone is sometimes offline for
a while. 2% of the accounts are the second line of an analog adapter: they register from exactly
the address of their partner's bindings, at the same times, which makes the partner's
address-bound events ambiguous (the NAT case reconciliation must never guess).
"""

import bisect
import random
from dataclasses import dataclass, field

from .clock import END_EPOCH, START_EPOCH, stamp
from .loading import copy_lines, restart_identity, text

ACCOUNTS = 5000
SITES = 1500
DEPARTMENTS = ["Sales", "Support", "Engineering", "Finance", "Warehouse", "Marketing", "Management", "Reception"]
FIRST = ["Mario", "Giulia", "Luca", "Francesca", "Marco", "Chiara", "Andrea", "Sara", "John", "Emma", "Piotr", "Ana"]
LAST = ["Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo", "Smith", "Müller", "Novak", "García"]
TRANSPORTS = ["UDP"] * 14 + ["TCP"] * 2 + ["TLS"] * 3 + ["WSS"]
AGENTS = ["Yealink SIP-T46U 108.86.0.20", "Snom D785 10.1.159.12", "Linphone Desktop/5.2.6", "Zoiper rv2.10.20.5"]
ATA_AGENT = "Grandstream HT802 1.0.53.2"
ATA_SHARE = 0.02


@dataclass
class Account:
    id: int
    username: str
    extension: str
    display_name: str
    department: str
    site_ip: str
    # binding k covers [starts[k], ends[k]) at addresses[k]
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    addresses: list[tuple[str, int, str]] = field(default_factory=list)
    moved: list[bool] = field(default_factory=list)  # ended by a REGISTER from elsewhere, not by expiry
    shared: list[bool] = field(default_factory=list)  # another account registered at that address then

    def binding_at(self, epoch: int) -> int | None:
        """Index of the binding active at `epoch`, or None (offline between two bindings)."""
        k = bisect.bisect_right(self.starts, epoch) - 1
        if k < 0 or epoch >= self.ends[k]:
            return None
        return k

    def address_at(self, epoch: int) -> tuple[str, int, str]:
        k = max(0, bisect.bisect_right(self.starts, epoch) - 1)
        return self.addresses[k]


def make_accounts(rng: random.Random) -> list[Account]:
    sites = [f"198.{18 + n // 65025}.{(n // 255) % 255}.{n % 255 + 1}" for n in range(SITES)]
    accounts = []
    for n in range(ACCOUNTS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        accounts.append(
            Account(
                id=n + 1,
                username=f"u{1000 + n}",
                extension=str(1000 + n),
                display_name=f"{first} {last}",
                department=DEPARTMENTS[n % len(DEPARTMENTS)],
                site_ip=sites[rng.randrange(SITES)],
            )
        )
    return accounts


def plan_bindings(rng: random.Random, accounts: list[Account], total: int) -> None:
    """Give each account its run of bindings (`total` in all); ATA second lines copy their partner.

    A binding ends when the phone registers from a new address ("moved", the next one starts at
    once) or lapses (expired; the phone was offline for up to four hours before the next one).
    """
    second_lines = set(rng.sample(range(len(accounts)), int(len(accounts) * ATA_SHARE)))
    primaries = [account for n, account in enumerate(accounts) if n not in second_lines]
    per_account = total / len(accounts)
    for account in primaries:
        count = max(1, int(per_account) + (1 if rng.random() < per_account % 1 else 0))
        cuts = sorted(rng.randrange(START_EPOCH - 86400, END_EPOCH) for _ in range(count - 1))
        starts = [START_EPOCH - 2 * 86400, *cuts]
        for k, begin in enumerate(starts):
            following = starts[k + 1] if k + 1 < len(starts) else END_EPOCH + 30 * 86400
            moved = k + 1 < len(starts) and rng.random() < 0.7
            offline = 0 if moved else rng.randrange(0, 4 * 3600)
            account.starts.append(begin)
            account.ends.append(max(begin + 60, following - offline))
            account.moved.append(moved)
            account.addresses.append((account.site_ip, rng.randrange(1024, 65535), rng.choice(TRANSPORTS)))
            account.shared.append(False)
    for n in sorted(second_lines):
        line, partner = accounts[n], primaries[n % len(primaries)]
        line.site_ip = partner.site_ip
        line.starts, line.ends = list(partner.starts), list(partner.ends)
        line.moved, line.addresses = list(partner.moved), list(partner.addresses)
        line.shared = [True] * len(partner.starts)
        partner.shared = [True] * len(partner.starts)


def load_accounts(accounts: list[Account]) -> int:
    created = stamp(START_EPOCH - 30 * 86400)
    lines = (
        "\t".join(
            [
                str(a.id),
                a.username,
                text(a.display_name),
                text(a.display_name.split()[0]),
                text(a.display_name.split()[1]),
                a.department,
                a.extension,
                "",
                "t",
                created,
                created,
            ]
        )
        for a in accounts
    )
    columns = ["id", "username", "display_name", "first_name", "last_name", "department", "extension", "mobile"]
    count = copy_lines("registrations_account", [*columns, "active", "created_at", "updated_at"], lines)
    restart_identity("registrations_account")
    return count


def _binding_lines(rng: random.Random, accounts: list[Account]):
    number = 0
    for account in accounts:
        agent = ATA_AGENT if account.shared and account.shared[0] else rng.choice(AGENTS)
        for k, begin in enumerate(account.starts):
            number += 1
            ip, port, transport = account.addresses[k]
            end = account.ends[k]
            moved = account.moved[k]
            # A moved binding would have lasted a while longer; an expired one lapsed at its end.
            expires = end + (rng.randrange(60, 3600) if moved else 0)
            refreshed = max(begin, min(expires - 3600, end))
            contact = f"sip:{account.username}@10.{number % 250}.{k % 250}.2:5060;transport={transport.lower()}"
            yield "\t".join(
                [
                    str(number),
                    str(account.id),
                    account.username,
                    contact,
                    ip,
                    str(port),
                    transport,
                    agent,
                    stamp(begin),
                    stamp(refreshed),
                    stamp(expires),
                    stamp(end) if moved else "\\N",
                    "moved" if moved else "",
                    f"reg-{number}",
                    f"reg-{number}-last",
                    stamp(refreshed),
                ]
            )


BINDING_COLUMNS = [
    "id",
    "account_id",
    "username",
    "contact",
    "remote_ip",
    "remote_port",
    "transport",
    "user_agent",
    "registered_at",
    "refreshed_at",
    "expires_at",
    "removed_at",
    "removed_reason",
    "event_id",
    "last_event_id",
    "updated_at",
]


def load_bindings(rng: random.Random, accounts: list[Account]) -> int:
    count = copy_lines("registrations_registrationbinding", BINDING_COLUMNS, _binding_lines(rng, accounts))
    restart_identity("registrations_registrationbinding")
    return count
