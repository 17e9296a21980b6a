"""7. Monitoring refresh for 5,000 users (DESIGN.md's contract; the monitoring app is issue 7).

Loads 4 terminals for each of the 5,000 accounts through `POST /api/v1/terminal-states/`, then
times what an auto-refresh asks for: `GET /api/v1/monitoring/` and the page `/monitoring/`.
When the console has no such endpoints yet, the line says so and nothing else runs.
"""

import datetime
import json
import random

from django.urls import Resolver404, resolve

from registrations.models import Account

from ..harness import Row
from ..sampling import sample

USERS = 5000
TERMINALS = ("sip", "dect", "usb", "mobile")
TARGET_MS = 50.0
PATHS = ("/api/v1/terminal-states/", "/api/v1/monitoring/", "/monitoring/")
WHAT = f"monitoring refresh for {USERS:,} users x {len(TERMINALS)} terminals, server time"


def installed() -> bool:
    try:
        for path in PATHS:
            resolve(path)
    except Resolver404:
        return False
    return True


def terminal_states(usernames: list[str], rng: random.Random) -> list[dict]:
    """Each user's four terminals: mostly registered and idle, some ringing or in calls."""
    moment = datetime.datetime(2026, 10, 31, 12, tzinfo=datetime.UTC)
    items = []
    for n, username in enumerate(usernames):
        for slot, kind in enumerate(TERMINALS, start=1):
            draw = rng.random()
            registered = draw < 0.8
            items.append(
                {
                    "event_id": f"bench-ts-{n}-{slot}",
                    "timestamp": (moment + datetime.timedelta(seconds=n)).isoformat(),
                    "username": username,
                    "terminal": slot,
                    "kind": kind,
                    "registered": registered,
                    "calls_ringing": 1 if registered and draw < 0.05 else 0,
                    "calls_active": (1 + (n % 2)) if registered and 0.05 <= draw < 0.2 else 0,
                    "address": f"198.18.{n // 250}.{n % 250 + 1}:{5060 + slot}",
                    "model": {"sip": "Yealink T46U", "dect": "Gigaset N670", "usb": "Jabra 40", "mobile": "iOS"}[kind],
                }
            )
    return items


def answer_size(client, path: str) -> str:
    """What one refresh carries: users in a JSON answer (a page of them, if paginated), else bytes."""
    body = client.get(path).body
    try:
        data = json.loads(body)
    except ValueError:
        return f"{len(body):,} bytes of HTML"
    users = data.get("results", []) if isinstance(data, dict) else data
    more = " and a next page" if isinstance(data, dict) and data.get("next") else ""
    return f"{len(users):,} users in the answer{more}"


def run(ctx) -> None:
    if not installed():
        ctx.report.add(Row(number="7", what=WHAT, result="n/a: monitoring not installed",
                           target=f"p95 <= {TARGET_MS:.0f} ms"))  # fmt: skip
        ctx.log("  n/a: monitoring not installed")
        return
    usernames = list(Account.objects.order_by("username").values_list("username", flat=True)[:USERS])
    items = terminal_states(usernames, random.Random(7))
    api = ctx.api()
    for start in range(0, len(items), 1000):
        reply = api.post_json(PATHS[0], json.dumps(items[start : start + 1000]).encode())
        if reply.status != 201:
            raise SystemExit(f"bench: POST {PATHS[0]} answered {reply.status}: {reply.body[:300]!r}")
    browser = ctx.browser()
    for number, path in (("7a", PATHS[1]), ("7b", PATHS[2])):
        timing = sample(browser, path)
        ctx.report.add(
            Row(
                number=number,
                what=f"{WHAT}: `GET {path}` ({len(usernames):,} users loaded; {answer_size(browser, path)})",
                result=timing.text(),
                target=f"p95 <= {TARGET_MS:.0f} ms",
                met=timing.p95 <= TARGET_MS,
            )
        )
