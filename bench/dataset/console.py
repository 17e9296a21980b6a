"""The console's own logs and the conference server's records, so that every report's page is
measured on rows: web accesses, audit records, server events, conferences with their sessions,
chat messages, recordings and endpoints. A twentieth of SCALE each (500k at SCALE=10m), endpoints
and recordings a hundredth; times spread over the benchmark's year with office-hour traffic.

The rows are written field by field from the models (`copy_model`), so a new column with a
default needs no change here.
"""

import datetime
import json
import random
from collections.abc import Iterable, Iterator

from django.db import models

from audit.models import ActorKind, AuditAction, AuditRecord, ServerEvent, WebAccess
from conferences.models import ChatMessage, Conference, ConferenceSession, Endpoint, Recording

from .clock import busy_seconds, stamp
from .loading import copy_lines, indexes_built_after, restart_identity, text
from .people import Account

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
]
TABLES = ["registrations_account", "auth_user", "voipadmin_preference", "authtoken_token", "auth_group"]
APPLICATIONS = ["webclient", "desktop", "ios", "android", "room"]
WORDS = ["ok", "thanks", "see you", "at the meeting", "the slides", "are shared", "can you hear me", "now", "yes"]


def _value(field: models.Field, value) -> str:
    if value is None:
        return "\\N"
    if isinstance(field, models.JSONField):
        return text(json.dumps(value))
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return text(str(value))


def copy_model(model: type[models.Model], rows: Iterable[dict]) -> int:
    """COPY `rows` (field name or column -> value; a time as `stamp` text) into the model's table,
    every other stored field at its default."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if not getattr(field, "generated", False)
        and not (field.primary_key and field.name == "id")
        and not (field.has_db_default() and not field.has_default())
    ]
    defaults = {field.name: field.get_default() for field in fields}
    columns = [field.column for field in fields]

    def lines() -> Iterator[str]:
        for row in rows:
            values = []
            for field in fields:
                values.append(_value(field, row.get(field.name, row.get(field.attname, defaults[field.name]))))
            yield "\t".join(values)

    count = copy_lines(model._meta.db_table, columns, lines())
    if any(field.primary_key and field.name == "id" for field in model._meta.concrete_fields):
        restart_identity(model._meta.db_table)
    return count


def _ip(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def web_accesses(rng: random.Random, count: int, accounts: list[Account]) -> Iterator[dict]:
    outcomes = [WebAccess.Outcome.LOGIN] * 6 + [WebAccess.Outcome.LOGOUT] * 5 + [WebAccess.Outcome.LOGIN_FAILED] * 2
    for epoch in busy_seconds(rng, count):
        outcome = rng.choice(outcomes)
        login = rng.choice(accounts).username
        yield {
            "time": stamp(epoch),
            "outcome": outcome,
            "principal": login,
            "entered_login": login if outcome == WebAccess.Outcome.LOGIN_FAILED else "",
            "ip": _ip(rng),
            "user_agent": rng.choice(BROWSERS),
            "reason": "wrong password" if outcome == WebAccess.Outcome.LOGIN_FAILED else "",
        }


def audit_records(rng: random.Random, count: int, accounts: list[Account]) -> Iterator[dict]:
    actions = [AuditAction.UPDATE] * 6 + [AuditAction.ADD, AuditAction.DELETE, AuditAction.AUTH_OK]
    for epoch in busy_seconds(rng, count):
        account = rng.choice(accounts)
        table = rng.choice(TABLES)
        action = rng.choice(actions)
        changes = {"display_name": [account.display_name, f"{account.display_name} <{account.extension}>"]}
        yield {
            "time": stamp(epoch),
            "actor_kind": ActorKind.WEB_USER if rng.random() < 0.7 else ActorKind.ACCOUNT,
            "actor_id": 0,
            "actor_sub_id": rng.randrange(1, 40),
            "actor_name": account.username,
            "action": action,
            "resource_table": table,
            "resource_id": str(account.id),
            "statement": f"{table}:id={account.id}:display_name={account.display_name}",
            "ip": _ip(rng),
            "details": {"object": f"account {account.username}", "changes": changes},
        }


def server_events(rng: random.Random, count: int, accounts: list[Account]) -> Iterator[dict]:
    types = [ServerEvent.EventType.LOGIN] * 4 + [ServerEvent.EventType.LOGOUT] * 3 + [ServerEvent.EventType.STATUS] * 4
    statuses = [0, 1, 2, 5]
    for epoch in busy_seconds(rng, count):
        account = rng.choice(accounts)
        kind = rng.choice(types)
        status = kind == ServerEvent.EventType.STATUS
        yield {
            "time": stamp(epoch),
            "event_type": kind,
            "success": rng.random() > 0.05,
            "username": account.username,
            "ip": _ip(rng),
            "application": rng.choice(APPLICATIONS),
            "display_name": account.display_name,
            "previous_status": rng.choice(statuses) if status else None,
            "new_status": rng.choice(statuses) if status else None,
            "description": f"{kind} of {account.username}",
        }


def conferences(rng: random.Random, count: int, accounts: list[Account]) -> Iterator[dict]:
    for n in range(count):
        owner = rng.choice(accounts).username
        yield {"conference_id": f"C{n:06d}", "title": f"Room {n} {rng.choice(WORDS)}", "owner": owner}


def sessions(rng: random.Random, count: int, rooms: int, accounts: list[Account]) -> Iterator[dict]:
    for n, epoch in enumerate(busy_seconds(rng, count)):
        started = stamp(epoch)
        yield {
            "session_id": f"S{n:08d}",
            "conference_id": f"C{rng.randrange(rooms):06d}" if rng.random() < 0.8 else None,
            "title": "" if rng.random() < 0.2 else f"Meeting {rng.choice(WORDS)}",
            "owner": rng.choice(accounts).username,
            "started_at": started,
            "ended_at": stamp(epoch + rng.randrange(60, 5400)),
            "mode": rng.choice(["symmetric", "moderated", "lecture"]),
            "participant_count": rng.randrange(2, 30),
            "connection_count": rng.randrange(2, 60),
        }


def chat_messages(rng: random.Random, count: int, session_count: int, accounts: list[Account]) -> Iterator[dict]:
    for n, epoch in enumerate(busy_seconds(rng, count)):
        personal = rng.random() < 0.3
        yield {
            "message_id": f"M{n:09d}",
            "session_id": None if personal else f"S{rng.randrange(session_count):08d}",
            "sender": rng.choice(accounts).username,
            "recipient": rng.choice(accounts).username if personal else None,
            "text": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(2, 12))),
            "time": stamp(epoch),
        }


def recordings(rng: random.Random, count: int, session_count: int) -> Iterator[dict]:
    for n, epoch in enumerate(busy_seconds(rng, count)):
        yield {
            "file": f"recordings/bench/{n:08d}.webm",
            "original_name": f"recording-{n}.webm",
            "size": rng.randrange(100_000, 900_000_000),
            "content_type": "video/webm",
            "created_at": stamp(epoch),
            "session_id": f"S{rng.randrange(session_count):08d}",
            "duration": round(rng.uniform(30, 5400), 1),
        }


def endpoints(rng: random.Random, count: int, accounts: list[Account]) -> Iterator[dict]:
    for n, epoch in enumerate(busy_seconds(rng, count)):
        account = rng.choice(accounts)
        yield {
            "endpoint_id": f"E-{n:07d}-{rng.randrange(16**6):06x}",
            "username": account.username,
            "logged_user": account.username if rng.random() < 0.9 else "",
            "application": rng.choice(APPLICATIONS),
            "version": f"5.{rng.randrange(10)}.{rng.randrange(30)}",
            "os": rng.choice(["Windows 11", "macOS 15", "iOS 18", "Android 15", "Ubuntu 24.04"]),
            "cpu": rng.choice(["x86_64", "arm64"]),
            "ip": _ip(rng),
            "first_seen": stamp(epoch - 86400 * 30),
            "last_seen": stamp(epoch),
            "last_conference": f"Room {rng.randrange(100)}",
        }


# The audit chain's seal trigger runs for each row and moves the one chain-head row forward: within
# one COPY's transaction every seal walks the head's growing chain of versions, so 500,000 records in
# one load take hours. 50,000 records is a busy year of changes to the console's configuration.
AUDIT_ROWS = 50_000


def load_console_tables(rng: random.Random, accounts: list[Account], rows: int, log=print) -> dict[str, int]:
    """Every console table a report lists, a twentieth (or a hundredth) of `rows` each."""
    logs, few = max(1000, rows // 20), max(200, rows // 100)
    rooms, session_count = max(50, few // 5), logs // 2
    plan = [
        (WebAccess, lambda: web_accesses(rng, logs, accounts)),
        (AuditRecord, lambda: audit_records(rng, min(logs, AUDIT_ROWS), accounts)),
        (ServerEvent, lambda: server_events(rng, logs, accounts)),
        (Conference, lambda: conferences(rng, rooms, accounts)),
        (ConferenceSession, lambda: sessions(rng, session_count, rooms, accounts)),
        (ChatMessage, lambda: chat_messages(rng, logs, session_count, accounts)),
        (Recording, lambda: recordings(rng, few, session_count)),
        (Endpoint, lambda: endpoints(rng, few, accounts)),
    ]
    loaded = {}
    for model, made in plan:
        table = model._meta.db_table
        with indexes_built_after(table):
            loaded[table] = copy_model(model, made())
        log(f"  {loaded[table]:,} rows in {table}")
    return loaded
