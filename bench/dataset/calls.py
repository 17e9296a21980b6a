"""A year of call detail records, in time order, shaped as Asterisk writes them.

Internal calls between extensions, calls out through the trunk and calls in from outside (some to
a ring group "600" that rings two phones: one CDR per phone sharing the linkedid). Every
disposition, with Asterisk's own word kept beside it (NO ANSWER / CANCEL, FAILED / CONGESTION).
"""

import random
from dataclasses import dataclass

from .clock import busy_seconds, stamp
from .loading import copy_lines, text
from .people import Account

# (stored disposition, Asterisk's word, weight)
DISPOSITIONS = [
    ("ANSWERED", "ANSWERED", 62),
    ("NO_ANSWER", "NO ANSWER", 15),
    ("NO_ANSWER", "CANCEL", 5),
    ("BUSY", "BUSY", 10),
    ("FAILED", "FAILED", 4),
    ("FAILED", "CONGESTION", 4),
]
COLUMNS = [
    "uniqueid",
    "sequence",
    "linkedid",
    "accountcode",
    "peeraccount",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "disposition_source",
    "amaflags",
    "userfield",
    "caller_id",
    "callee_id",
]


def _dispositions() -> list[tuple[float, str, str]]:
    total = sum(weight for *_, weight in DISPOSITIONS)
    cumulative, out = 0.0, []
    for stored, word, weight in DISPOSITIONS:
        cumulative += weight / total
        out.append((cumulative, stored, word))
    return out


def _outside(rng: random.Random) -> str:
    return f"+39{rng.choice(['02', '06', '011', '3'])}{rng.randrange(10**6, 10**7)}"


def _timing(rng: random.Random, stored: str) -> tuple[int, int]:
    """(ring seconds, billsec)."""
    if stored == "ANSWERED":
        return rng.randint(1, 20), min(int(rng.lognormvariate(4.6, 1.1)) + 1, 3 * 3600)
    if stored == "NO_ANSWER":
        return rng.randint(5, 45), 0
    if stored == "BUSY":
        return rng.randint(1, 8), 0
    return rng.randint(0, 2), 0


@dataclass(frozen=True)
class Party:
    """One end of a call: the number, the channel prefix, the account id (\\N: none), the caller ID."""

    number: str
    channel: str
    account: str
    clid: str


def _phone(account: Account) -> Party:
    return Party(account.extension, f"PJSIP/{account.extension}", str(account.id),
                 text(f'"{account.display_name}" <{account.extension}>'))  # fmt: skip


def _trunk(number: str) -> Party:
    return Party(number, "PJSIP/trunk", "\\N", f'"{number}" <{number}>')


def _record(*, uniqueid: str, sequence: int, source: Party, target: Party, dst: str, context: str, data: str,
            epoch: int, rng: random.Random, table) -> str:  # fmt: skip
    draw = rng.random()
    stored, word = next((stored, word) for edge, stored, word in table if draw <= edge)
    ring, billsec = _timing(rng, stored)
    answer = stamp(epoch + ring) if stored == "ANSWERED" else "\\N"
    return "\t".join(
        [
            uniqueid,
            str(sequence),
            uniqueid,  # linkedid: the first channel's uniqueid, shared by every leg
            "",
            "",
            source.number,
            dst,
            context,
            source.clid,
            f"{source.channel}-{sequence:08x}",
            f"{target.channel}-{sequence:08x}",
            "Dial",
            data,
            stamp(epoch),
            answer,
            stamp(epoch + ring + billsec),
            str(ring + billsec),
            str(billsec),
            stored,
            word,
            "DOCUMENTATION",
            "",
            source.account,
            target.account,
        ]
    )


# Calls to the ring group have two legs: 20% of calls come in, 40% of those to the group.
LEGS_PER_CALL = 1 + 0.20 * 0.40


def _legs(rng: random.Random, accounts: list[Account]) -> list[tuple[Party, Party, str, str, str]]:
    """A call's records as (source, target, dst, context, Dial data)."""
    a = accounts[rng.randrange(len(accounts))]
    kind = rng.random()
    if kind < 0.55:  # internal
        b = accounts[rng.randrange(len(accounts))]
        return [(_phone(a), _phone(b), b.extension, "from-internal", f"PJSIP/{b.extension},30,tT")]
    number = _outside(rng)
    if kind < 0.80:  # out through the trunk
        return [(_phone(a), _trunk(number), number, "from-internal", f"PJSIP/{number}@trunk,60")]
    # in from outside: to a phone, or to the ring group (one CDR per phone rung)
    group = rng.random() < 0.4
    phones = [a, accounts[rng.randrange(len(accounts))]] if group else [a]
    return [(_trunk(number), _phone(phone), "600" if group else phone.extension, "from-trunk",
             f"PJSIP/{phone.extension},25,tT") for phone in phones]  # fmt: skip


def _lines(rng: random.Random, accounts: list[Account], count: int):
    """About `count` records (calls x legs), ids and sequences rising with time."""
    table = _dispositions()
    sequence = 0
    for epoch in busy_seconds(rng, round(count / LEGS_PER_CALL)):
        uniqueid = f"{epoch}.{sequence + 1}"
        for source, target, dst, context, data in _legs(rng, accounts):
            sequence += 1
            yield _record(uniqueid=uniqueid, sequence=sequence, source=source, target=target, dst=dst,
                          context=context, data=data, epoch=epoch, rng=rng, table=table)  # fmt: skip


def load_cdrs(rng: random.Random, accounts: list[Account], count: int) -> int:
    return copy_lines("cdr_cdr", COLUMNS, _lines(rng, accounts, count))
