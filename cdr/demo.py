"""Demo CDRs: a month of a small company's calls, as an Asterisk 13+ PBX would record them.

Internal calls between the accounts' extensions, calls out through the trunk, calls in to a ring
group (one CDR per phone rung, all sharing the caller's uniqueid and linkedid, ascending sequence),
some transferred (a new leg, same linkedid), voicemail when nobody answers. Every disposition
Asterisk writes appears (ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION, CANCEL). Accounts are
matched exactly as an import would (store.match_accounts).
"""

import datetime
import random

from django.utils import timezone

from registrations.models import Account

from .models import Cdr
from .services.asterisk_csv import disposition_normalise
from .services.store import cdr_store

DAYS = 30
CALLS_PER_WORKDAY = 700
TRUNK = "trunk-voipco"
EXTERNAL_NAMES = ["ROSSI MARIO", "BIANCHI SRL", "Studio Verdi", "J SMITH", "ACME GMBH", "", "", ""]
EXTERNAL_PREFIXES = ["+3906", "+3902", "+39347", "+39333", "+4930", "+4420", "+3314", "+1212"]


class _Pbx:
    """Numbers Asterisk would hand out: uniqueids, channel suffixes, the CDR sequence."""

    def __init__(self):
        self.counter = 0
        self.sequence = 0

    def uniqueid(self, when: datetime.datetime) -> str:
        self.counter += 1
        return f"{int(when.timestamp())}.{self.counter}"

    def channel(self, peer: str) -> str:
        self.counter += 1
        return f"PJSIP/{peer}-{self.counter:08x}"

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence


def _phones() -> list[tuple[str, str, str]]:
    """(number, peer name, caller ID name) of every account's phone (its extension, else its
    username, as Asterisk would show it); plain numbers when there are no accounts."""
    accounts = Account.objects.order_by("pk").values_list(
        "extension", "username", "display_name", "first_name", "last_name"
    )
    phones = [
        (extension or username, username, display or f"{first} {last}".strip() or username)
        for extension, username, display, first, last in accounts
    ]
    return phones or [(str(number), str(number), f"Phone {number}") for number in range(100, 140)]


def _external(rng: random.Random) -> str:
    return rng.choice(EXTERNAL_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(7))


def _moment(rng: random.Random, day: datetime.date, zone) -> datetime.datetime:
    hour = rng.choices(range(7, 20), weights=[1, 5, 9, 10, 9, 5, 6, 9, 9, 8, 6, 3, 1])[0]
    naive = datetime.datetime.combine(day, datetime.time(hour, rng.randrange(60), rng.randrange(60)))
    return timezone.make_aware(naive, zone)


def _cdr(pbx, *, uniqueid, linkedid, start, src, dst, clid, channel, dstchannel, app, data, source, **extra) -> dict:
    """One record; `source` is Asterisk's disposition word; ring/talk seconds come in `extra`."""
    ring, talk = extra.pop("ring", 0), extra.pop("talk", 0)
    answered = source == "ANSWERED"
    answer = start + datetime.timedelta(seconds=ring) if answered else None
    duration = ring + (talk if answered else 0)
    return {
        "uniqueid": uniqueid,
        "sequence": pbx.next_sequence(),
        "linkedid": linkedid,
        "accountcode": extra.pop("accountcode", ""),
        "peeraccount": "",
        "src": src,
        "dst": dst,
        "dcontext": extra.pop("dcontext", "from-internal"),
        "clid": clid,
        "channel": channel,
        "dstchannel": dstchannel,
        "lastapp": app,
        "lastdata": data,
        "start": start,
        "answer": answer,
        "end": start + datetime.timedelta(seconds=duration),
        "duration": duration,
        "billsec": talk if answered else 0,
        "disposition": disposition_normalise(source),
        "disposition_source": source,
        "amaflags": extra.pop("amaflags", Cdr.AmaFlags.DOCUMENTATION),
        "userfield": extra.pop("userfield", ""),
    }


def _outcome(rng: random.Random, weights: tuple[int, int, int, int, int]) -> str:
    return rng.choices(["ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"], weights=weights)[0]


def _talk(rng: random.Random) -> int:
    return max(3, int(rng.lognormvariate(4.3, 1.0)))


def _direct(rng, pbx, phones, start, *, outside: bool) -> list[dict]:
    """A phone dials another phone, or an outside number through the trunk: one CDR."""
    (a_ext, a_peer, a_name), (b_ext, b_peer, _b_name) = rng.sample(phones, 2)
    uniqueid = pbx.uniqueid(start)
    if outside:
        b_ext = _external(rng)
        dstchannel, data = pbx.channel(TRUNK), f"PJSIP/{b_ext}@{TRUNK},60"
        extra = {"amaflags": Cdr.AmaFlags.BILLING, "accountcode": "outbound", "ring": rng.randint(4, 30)}
    else:
        dstchannel, data = pbx.channel(b_peer), f"PJSIP/{b_peer},30,tT"
        extra = {"ring": rng.randint(2, 25)}
    source = _outcome(rng, (62, 18, 8, 5, 7) if outside else (70, 15, 9, 3, 3))
    return [
        _cdr(
            pbx,
            uniqueid=uniqueid,
            linkedid=uniqueid,
            start=start,
            src=a_ext,
            dst=b_ext,
            clid=f'"{a_name}" <{a_ext}>',
            channel=pbx.channel(a_peer),
            dstchannel=dstchannel,
            app="Dial",
            data=data,
            source=source,
            talk=_talk(rng),
            **extra,
        )
    ]


def _internal(rng, pbx, phones, start) -> list[dict]:
    return _direct(rng, pbx, phones, start, outside=False)


def _outbound(rng, pbx, phones, start) -> list[dict]:
    return _direct(rng, pbx, phones, start, outside=True)


def _inbound(rng, pbx, phones, start) -> list[dict]:
    """A call to the ring group: one CDR per phone rung; maybe a transfer or voicemail after."""
    number, name = _external(rng), rng.choice(EXTERNAL_NAMES)
    clid = f'"{name}" <{number}>' if name else f"<{number}>"
    if rng.random() < 0.02:
        number, clid = "anonymous", '"Anonymous" <anonymous>'
    uniqueid = pbx.uniqueid(start)
    caller_channel = pbx.channel(TRUNK)
    group = rng.sample(phones, min(3, len(phones)))
    answered_by = rng.randrange(len(group)) if rng.random() < 0.8 else None
    ring = rng.randint(3, 20) if answered_by is not None else 25
    common = {"uniqueid": uniqueid, "linkedid": uniqueid, "src": number, "dst": "600", "clid": clid}
    legs = []
    for position, (ext, peer, _name) in enumerate(group):
        if answered_by is None:
            source = rng.choice(["NO ANSWER", "NO ANSWER", "BUSY"])
        else:
            source = "ANSWERED" if position == answered_by else rng.choice(["NO ANSWER", "CANCEL"])
        legs.append(
            _cdr(
                pbx,
                start=start,
                channel=caller_channel,
                dstchannel=pbx.channel(peer),
                app="Dial",
                data=f"PJSIP/{ext},25,tr",
                source=source,
                ring=ring,
                talk=_talk(rng),
                dcontext="from-trunk",
                **common,
            )
        )
    if answered_by is None:
        legs.append(
            _cdr(
                pbx,
                start=start + datetime.timedelta(seconds=25),
                channel=caller_channel,
                dstchannel="",
                app="VoiceMail",
                data="600@default,u",
                source="ANSWERED",
                ring=0,
                talk=rng.randint(5, 60),
                dcontext="from-trunk",
                **common,
            )
        )
    elif rng.random() < 0.12:
        ext, peer, _name = group[answered_by]
        target_ext, target_peer, _target = rng.choice(phones)
        when = legs[answered_by]["end"] - datetime.timedelta(seconds=min(10, legs[answered_by]["billsec"]))
        legs.append(
            _cdr(
                pbx,
                uniqueid=pbx.uniqueid(when),
                linkedid=uniqueid,
                start=when,
                src=ext,
                dst=target_ext,
                clid=clid,
                channel=pbx.channel(peer),
                dstchannel=pbx.channel(target_peer),
                app="Dial",
                data=f"PJSIP/{target_peer},30",
                source=_outcome(rng, (80, 12, 8, 0, 0)),
                ring=rng.randint(2, 12),
                talk=_talk(rng),
                userfield="transfer",
            )
        )
    return legs


def seed(*, rng: random.Random, scale: float, now: datetime.datetime | None = None) -> str:
    if Cdr.objects.exists():
        return "call detail records already present"
    phones = _phones()
    pbx = _Pbx()
    zone = timezone.get_default_timezone()
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows: list[dict] = []
    for back in range(DAYS, -1, -1):
        day = today - datetime.timedelta(days=back)
        calls = CALLS_PER_WORKDAY if day.weekday() < 5 else CALLS_PER_WORKDAY // 12
        for _ in range(max(1, int(calls * scale * rng.uniform(0.8, 1.15)))):
            start = _moment(rng, day, zone)
            if start > now:
                continue
            kind = rng.choices([_internal, _outbound, _inbound], weights=[40, 30, 30])[0]
            rows.extend(leg for leg in kind(rng, pbx, phones, start) if leg["end"] <= now)
    created = 0
    for begin in range(0, len(rows), 5000):
        created += cdr_store(rows=rows[begin : begin + 5000])
    return f"{created} call detail records over {DAYS} days"
