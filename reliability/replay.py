"""Replay: one batch of 1,000 items per resource posted by 5 concurrent clients, 3 times each.

Stored rows must equal the unique items (idempotent ingest under concurrency), and a batch with one
bad item must store nothing (all-or-nothing) and name the item's index and field.
"""

import datetime
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg

from .stage import BASE, DATABASE_URL

ITEMS = 1000
CLIENTS = 5
ROUNDS = 3
T0 = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)


def _time(n: int) -> str:
    return (T0 + datetime.timedelta(seconds=n)).isoformat()


def sip_event(n: int, prefix: str) -> dict:
    return {
        "event_id": f"{prefix}-sip-{n}",
        "timestamp": _time(n),
        "event": "CONNECT",
        "remote_ip": f"198.51.100.{n % 250 + 1}",
        "remote_port": 5060 + n,
        "transport": "udp",
        "details": f"replay {n}",
    }


def registration(n: int, prefix: str) -> dict:
    return {
        "event_id": f"{prefix}-reg-{n}",
        "timestamp": _time(n),
        "username": f"{prefix}-user-{n}",
        "contact": f"sip:{prefix}-user-{n}@192.0.2.{n % 250 + 1}:5060",
        "remote_ip": f"192.0.2.{n % 250 + 1}",
        "remote_port": 5060,
        "transport": "udp",
        "expires": 3600,
        "user_agent": "replay",
    }


def cdr(n: int, prefix: str) -> dict:
    start = T0 + datetime.timedelta(seconds=n)
    return {
        "uniqueid": f"{prefix}-{1794301200 + n}.{n}",
        "sequence": n,
        "src": "1001",
        "dst": "1002",
        "dcontext": "from-internal",
        "channel": "PJSIP/1001-0000000a",
        "start": start.isoformat(),
        "answer": (start + datetime.timedelta(seconds=3)).isoformat(),
        "end": (start + datetime.timedelta(seconds=63)).isoformat(),
        "duration": 63,
        "billsec": 60,
        "disposition": "ANSWERED",
    }


RESOURCES = {
    "sip-events": (
        sip_event,
        "SELECT count(*), count(DISTINCT event_id) FROM sip_sessions_sipevent WHERE event_id LIKE %s",
    ),
    "registrations": (
        registration,
        "SELECT count(*), count(DISTINCT event_id) FROM registrations_registrationbinding WHERE event_id LIKE %s",
    ),
    "cdrs": (cdr, "SELECT count(*), count(DISTINCT (uniqueid, sequence)) FROM cdr_cdr WHERE uniqueid LIKE %s"),
}


def post(path: str, token: str, items: list[dict]) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 loopback only
        f"{BASE}/api/v1/{path}/",
        data=json.dumps(items).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def stored(sql: str, prefix: str) -> tuple[int, int]:
    with psycopg.connect(DATABASE_URL) as conn:
        return conn.execute(sql, [f"{prefix}-%"]).fetchone()


def run(token: str) -> list[dict]:
    figures = []
    for path, (make, sql) in RESOURCES.items():
        batch = [make(n, "replay") for n in range(ITEMS)]

        def client(_: int, batch=batch, path=path) -> list[int]:
            return [post(path, token, batch)[0] for _round in range(ROUNDS)]

        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = [code for codes in pool.map(client, range(CLIENTS)) for code in codes]
        rows, unique = stored(sql, "replay")
        bad = [make(n, "replaybad") for n in range(ITEMS)]
        bad[500]["timestamp" if "timestamp" in bad[500] else "start"] = "not a time"
        code, answer = post(path, token, bad)
        bad_rows, _ = stored(sql, "replaybad")
        errors = answer.get("errors") or [{}]
        figures.append(
            {
                "resource": path,
                "posts": len(statuses),
                "statuses": sorted(set(statuses)),
                "items": ITEMS,
                "stored": rows,
                "unique": unique,
                "bad_status": code,
                "bad_names": f"index {errors[0].get('index')}, field {errors[0].get('field')}",
                "bad_stored": bad_rows,
            }
        )
    return figures
