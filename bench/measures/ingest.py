"""4. Ingest through the API in batches of 1,000 (sip-events, cdrs, registrations), against COPY of the same rows."""

import datetime
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from registrations.models import Account, RegistrationBinding

from ..dataset.loading import copy_lines
from ..harness import Row, fmt_int, timed

BATCH = 1000
# Issue 16: one client, batches of 1,000, beside COPY of the same rows.
TARGETS = {"/api/v1/sip-events/": 20_000, "/api/v1/cdrs/": 15_000}
REGISTRATIONS_TARGET = 5_000
# The newest days of the loaded year: where a live server's pushes land.
FROM = datetime.datetime(2026, 10, 25, tzinfo=datetime.UTC)


@dataclass
class Workload:
    name: str
    path: str
    table: str
    columns: list[str]
    items: list[dict]
    rows: list[list[str]]  # the same items as table rows (other source ids), for COPY

    def bodies(self) -> list[bytes]:
        return [json.dumps(self.items[i : i + BATCH]).encode() for i in range(0, len(self.items), BATCH)]


def _iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _stamp(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


def sip_workload(count: int, rng: random.Random, prefix: str = "ingest") -> Workload:
    bindings = list(RegistrationBinding.objects.values_list("remote_ip", "remote_port", "transport")[:5000])
    accounts = dict(Account.objects.values_list("username", "pk")[:5000])
    usernames = list(accounts)
    items, rows = [], []
    for n in range(count):
        moment = FROM + datetime.timedelta(seconds=n * 0.05)
        if n % 5 < 2:
            ip, port, transport = rng.choice(bindings)
            username, event = rng.choice(usernames), "REGISTER"
        else:
            ip, port, transport = rng.choice(bindings)
            username, event = "", rng.choice(["CONNECT", "DISCONNECT"])
        item = {"event_id": f"{prefix}-{n}", "timestamp": _iso(moment), "event": event, "remote_ip": ip,
                "remote_port": port, "transport": transport, "username": username,
                "details": f"{event} from {ip}"}  # fmt: skip
        items.append(item)
        rows.append([f"copy-{prefix}-{n}", _stamp(moment), event, item["details"], ip, str(port), transport,
                     username, "f", "f", "\\N", str(accounts.get(username, "\\N"))])  # fmt: skip
    columns = ["event_id", "time", "event", "details", "remote_ip", "remote_port", "transport", "username"]
    return Workload("SIP events", "/api/v1/sip-events/", "sip_sessions_sipevent",
                    [*columns, "reconciled", "ambiguous", "reconciled_at", "account_id"], items, rows)  # fmt: skip


CDR_FIELDS = ["uniqueid", "sequence", "linkedid", "accountcode", "src", "dst", "dcontext", "clid", "channel",
              "dstchannel", "lastapp", "lastdata", "start", "answer", "end", "duration", "billsec",
              "disposition", "amaflags", "userfield"]  # fmt: skip


def cdr_workload(count: int, rng: random.Random, prefix: str = "ingest") -> Workload:
    accounts = list(Account.objects.values_list("extension", "pk")[:5000])
    words = [("ANSWERED", "ANSWERED")] * 6 + [("NO ANSWER", "NO_ANSWER"), ("BUSY", "BUSY"), ("CONGESTION", "FAILED")]
    items, rows = [], []
    for n in range(count):
        start = FROM + datetime.timedelta(seconds=n * 0.05)
        (src, caller), (dst, callee) = rng.choice(accounts), rng.choice(accounts)
        word, stored = rng.choice(words)
        billsec = rng.randint(5, 600) if stored == "ANSWERED" else 0
        answer = start + datetime.timedelta(seconds=3) if billsec else None
        end = start + datetime.timedelta(seconds=3 + billsec)
        uniqueid = f"{prefix}-{int(start.timestamp())}.{n}"
        item = {"uniqueid": uniqueid, "sequence": n, "linkedid": uniqueid, "accountcode": "", "src": src, "dst": dst,
                "dcontext": "from-internal", "clid": f'"User {src}" <{src}>', "channel": f"PJSIP/{src}-{n:08x}",
                "dstchannel": f"PJSIP/{dst}-{n:08x}", "lastapp": "Dial", "lastdata": f"PJSIP/{dst},30,tT",
                "start": _iso(start), "answer": _iso(answer) if answer else None, "end": _iso(end),
                "duration": 3 + billsec, "billsec": billsec, "disposition": word, "amaflags": "DOCUMENTATION",
                "userfield": ""}  # fmt: skip
        items.append(item)
        rows.append([f"copy-{uniqueid}", str(n), uniqueid, "", "", src, dst, "from-internal", item["clid"],
                     item["channel"], item["dstchannel"], "Dial", item["lastdata"], _stamp(start),
                     _stamp(answer) if answer else "\\N", _stamp(end), str(3 + billsec), str(billsec), stored, word,
                     "DOCUMENTATION", "", str(caller), str(callee)])  # fmt: skip
    columns = ["uniqueid", "sequence", "linkedid", "accountcode", "peeraccount", "src", "dst", "dcontext", "clid",
               "channel", "dstchannel", "lastapp", "lastdata", "start", "answer", "end", "duration", "billsec",
               "disposition", "disposition_source", "amaflags", "userfield", "caller_id", "callee_id"]  # fmt: skip
    return Workload("CDRs", "/api/v1/cdrs/", "cdr_cdr", columns, items, rows)


BINDING_COLUMNS = ["account_id", "username", "contact", "remote_ip", "remote_port", "transport", "user_agent",
                   "registered_at", "refreshed_at", "expires_at", "removed_at", "removed_reason", "registrar",
                   "event_id", "last_event_id", "updated_at"]  # fmt: skip


def registration_workload(count: int, rng: random.Random, prefix: str = "ingest") -> Workload:
    """A registrar's traffic over the 5,000 accounts, in time order, each account in turn: its first
    REGISTER opens a binding (the account goes online: a status event), then 80% refreshes from
    the same address, 10% moves (the NAT gave another port), 5% unregisters, 5% REGISTERs again
    (after an unregister, a new binding). Every item changes something. The events lie in the hour
    before the run, so the bindings are live and the online/offline status events are written."""
    accounts = list(Account.objects.order_by("pk").values_list("username", "pk")[:5000])
    start = timezone.now() - datetime.timedelta(hours=1)
    step = datetime.timedelta(seconds=3000 / max(count, 1))  # the whole run within 50 minutes
    state: dict[str, tuple[int, bool]] = {}  # username -> (port, bound)
    items, rows = [], []
    for n in range(count):
        username, account_id = accounts[n % len(accounts)]
        moment = start + n * step
        port, bound = state.get(username, (5060 + rng.randrange(1000), False))
        kind = "register"
        if bound:
            roll = rng.random()
            if roll < 0.10:
                port = 20000 + rng.randrange(40000)
            elif roll < 0.15:
                kind = "unregister"
        expires = 0 if kind == "unregister" else 3600
        state[username] = (port, kind == "register")
        ip = f"198.18.{(account_id >> 8) & 255}.{account_id & 255}"
        item = {"event_id": f"{prefix}-r{n}", "timestamp": _iso(moment), "username": username,
                "contact": f"sip:{username}@10.1.{(account_id >> 8) & 255}.{account_id & 255}:5060;{prefix}",
                "remote_ip": ip, "remote_port": port, "transport": "UDP", "expires": expires,
                "user_agent": "Yealink SIP-T46U 108.86.0.20", "registrar": "kamailio@bench"}  # fmt: skip
        items.append(item)
        until = moment + datetime.timedelta(seconds=3600)
        rows.append([str(account_id), username, item["contact"], ip, str(port), "UDP", item["user_agent"],
                     _stamp(moment), _stamp(moment), _stamp(until), "\\N", "", "kamailio@bench",
                     f"copy-{prefix}-r{n}", f"copy-{prefix}-r{n}", _stamp(moment)])  # fmt: skip
    return Workload("registrations", "/api/v1/registrations/", "registrations_registrationbinding",
                    BINDING_COLUMNS, items, rows)  # fmt: skip


def post_all(client, path: str, bodies: list[bytes]) -> tuple[int, float]:
    """(rows created, seconds) of posting every body in turn on one connection."""
    created = 0
    with timed() as clock:
        for body in bodies:
            reply = client.post_json(path, body)
            if reply.status != 201:
                raise SystemExit(f"bench: POST {path} answered {reply.status}: {reply.body[:500]!r}")
            created += json.loads(reply.body)["created"]
    return created, clock["seconds"]


def copy_all(workload: Workload) -> float:
    with timed() as clock:
        for start in range(0, len(workload.rows), BATCH):
            with transaction.atomic():
                copy_lines(workload.table, workload.columns,
                           ("\t".join(row) for row in workload.rows[start : start + BATCH]))  # fmt: skip
    return clock["seconds"]


def post_concurrently(ctx, path: str, bodies: list[bytes], clients: int) -> tuple[int, float]:
    """(rows created, wall seconds) of `clients` clients posting their share of the bodies at once."""
    from concurrent.futures import ThreadPoolExecutor

    shares = [bodies[start::clients] for start in range(clients)]
    connections = [ctx.api() for _ in shares]
    with timed() as clock, ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda pair: post_all(pair[0], path, pair[1]), zip(connections, shares, strict=True)))
    return sum(created for created, _seconds in results), clock["seconds"]


def measure(ctx, numbers: tuple[str, str], make: Callable[..., Workload], count: int) -> None:
    # Source ids new to the table even when the data is reused (--reuse-data).
    run = f"i{int(time.time())}"
    workload = make(count, random.Random(8), run)
    bodies = workload.bodies()
    client = ctx.api()
    post_all(client, workload.path, [json.dumps(make(BATCH, random.Random(9), f"warm-{run}").items).encode()])
    created, seconds = post_all(client, workload.path, bodies)
    if created != count:
        raise SystemExit(f"bench: {workload.path} created {created} of {count}")
    rate = count / seconds
    copy_rate = count / copy_all(workload)
    # The server has two workers on two cores: two clients keep both busy, as several PBXs would.
    pair = make(count, random.Random(10), f"{run}-pair")
    created, pair_seconds = post_concurrently(ctx, pair.path, pair.bodies(), 2)
    if created != count:
        raise SystemExit(f"bench: {workload.path} created {created} of {count} with two clients")
    pair_rate = count / pair_seconds
    for number, who, result, seconds_taken in (
        (numbers[0], "one client", rate, seconds),
        (numbers[1], "two clients at once", pair_rate, pair_seconds),
    ):
        ctx.report.add(
            Row(
                number=number,
                what=f"ingest of {fmt_int(count)} {workload.name} through `POST {workload.path}`, "
                f"{len(bodies)} requests of {BATCH:,} items, {who}",
                result=f"{fmt_int(result)} events/s ({seconds_taken:.1f} s)",
                reference=f"COPY of the same rows, {BATCH:,} per transaction, one session: {fmt_int(copy_rate)} rows/s",
                comparison=f"{result / copy_rate:.2f}x COPY",
                target=f">= {TARGETS[workload.path]:,} events/s",
                met=result >= TARGETS[workload.path],
            )
        )


def measure_registrations(ctx, number: str, count: int) -> None:
    """One client, as a registrar's feed is (each account's events in order)."""
    run = f"i{int(time.time())}"
    client = ctx.api()
    post_all(client, "/api/v1/registrations/",
             [json.dumps(registration_workload(BATCH, random.Random(9), f"warm-{run}").items).encode()])  # fmt: skip
    # The loaded year ends before the run: the table's statistics know no live binding until the
    # warm-up has made some, where a live registrar's table (and autovacuum's ANALYZE) always has them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registrations_registrationbinding")
    workload = registration_workload(count, random.Random(8), run)
    bodies = workload.bodies()
    created, seconds = post_all(client, workload.path, bodies)
    if created != count:
        raise SystemExit(f"bench: {workload.path} changed bindings for {created} of {count} items")
    rate = count / seconds
    copy_rate = count / copy_all(workload)
    ctx.report.add(
        Row(
            number=number,
            what=f"ingest of {fmt_int(count)} registrations (open, refresh, move, unregister; status events) "
            f"through `POST {workload.path}`, {len(bodies)} requests of {BATCH:,} items, one client",
            result=f"{fmt_int(rate)} registrations/s ({seconds:.1f} s)",
            reference=f"COPY of the same items as binding rows, {BATCH:,} per transaction, one session: "
            f"{fmt_int(copy_rate)} rows/s",
            comparison=f"{rate / copy_rate:.2f}x COPY",
            target=f">= {REGISTRATIONS_TARGET:,} registrations/s",
            met=rate >= REGISTRATIONS_TARGET,
        )
    )


def run(ctx) -> None:
    count = min(ctx.scale.workload, 100_000)
    measure(ctx, ("4a", "4c"), sip_workload, count)
    measure(ctx, ("4b", "4d"), cdr_workload, count)
    measure_registrations(ctx, "4f", count)
