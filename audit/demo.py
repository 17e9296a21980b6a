"""Demo web accesses: two months of operators logging in and out, with some mistyped logins."""

import datetime
import ipaddress
import random

from django.utils import timezone

from registrations.models import Account

from .models import AuditRecord, ServerEvent, WebAccess
from .services.records import auth_statement

OPERATORS = ["admin", "m.rossi", "l.bianchi", "support.anna", "noc.night", "j.smith"]
TYPOS = ["amdin", "m.rosi", "root", "administrator", "l.bianci", "test"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "curl/8.5.0",
]


def seed(*, rng: random.Random, scale: float, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    return "; ".join(
        [
            _seed_web_accesses(rng=rng, scale=scale, now=now),
            _seed_server_events(rng=rng, scale=scale, now=now),
            _seed_audit(rng=rng, now=now),
        ]
    )


def _seed_web_accesses(*, rng: random.Random, scale: float, now: datetime.datetime) -> str:
    if WebAccess.objects.exists():
        return "web accesses already present"
    office = [str(ipaddress.ip_address("10.20.0.0") + rng.randrange(2, 250)) for _ in range(12)]
    rows = []
    days = 60
    for day in range(days, -1, -1):
        for operator in OPERATORS:
            if rng.random() < 0.25:
                continue
            start = now - datetime.timedelta(days=day, hours=rng.uniform(0, 10), minutes=rng.uniform(0, 59))
            ip, agent = rng.choice(office), rng.choice(AGENTS[:3])
            for _ in range(int(rng.random() < 0.12) + int(rng.random() < 0.03)):
                typo = rng.choice(TYPOS)
                rows.append(
                    WebAccess(
                        time=start - datetime.timedelta(seconds=rng.randint(5, 90)),
                        outcome=WebAccess.Outcome.LOGIN_FAILED,
                        principal=typo,
                        entered_login=typo,
                        ip=ip,
                        user_agent=agent,
                        reason="wrong login or password",
                    )
                )
            rows.append(
                WebAccess(
                    time=start,
                    outcome=WebAccess.Outcome.LOGIN,
                    principal=operator,
                    entered_login=operator,
                    ip=ip,
                    user_agent=agent,
                )
            )
            end = start + datetime.timedelta(hours=rng.uniform(0.2, 8))
            if end < now:
                rows.append(
                    WebAccess(time=end, outcome=WebAccess.Outcome.LOGOUT, principal=operator, ip=ip, user_agent=agent)
                )
        # scripted probes from outside, as every exposed console sees
        for _ in range(rng.randint(0, int(6 * scale) + 1)):
            probe = rng.choice(TYPOS)
            rows.append(
                WebAccess(
                    time=now - datetime.timedelta(days=day, seconds=rng.randint(0, 86000)),
                    outcome=WebAccess.Outcome.LOGIN_FAILED,
                    principal=probe,
                    entered_login=probe,
                    ip=f"203.0.113.{rng.randint(1, 254)}",
                    user_agent=AGENTS[3],
                    reason="wrong login or password",
                )
            )
    WebAccess.objects.bulk_create(rows, batch_size=2000)
    return f"{len(rows)} web accesses"


VOIP_USERS = [f"{name}{n}" for n in range(40) for name in ("anna", "marco", "luca", "sara", "giulia")]
APPS = ["TrueConf for Windows 8.5", "TrueConf for macOS 8.5", "TrueConf for Android 8.4", "WebRTC client"]
# (previous, new) status moves a day of calls makes: offline -> online -> busy / owner -> online -> offline
MOVES = [(0, 1), (1, 2), (2, 1), (1, 5), (5, 1), (1, 0)]


def _seed_server_events(*, rng: random.Random, scale: float, now: datetime.datetime) -> str:
    if ServerEvent.objects.exists():
        return "server events already present"
    rows = []
    # The demo's own VoIP accounts when registrations seeded them, so events link to real profiles.
    known = list(Account.objects.order_by("username").values_list("username", flat=True)[:40])
    pool = known or VOIP_USERS
    users = pool[: max(10, int(len(pool) * min(scale, 1)))]
    for day in range(60, -1, -1):
        base = now - datetime.timedelta(days=day)
        for user in users:
            if rng.random() < 0.35:
                continue
            moment = base - datetime.timedelta(hours=rng.uniform(1, 12))
            ip = f"10.30.{rng.randint(0, 9)}.{rng.randint(2, 250)}"
            app = rng.choice(APPS)
            rows.append(
                ServerEvent(
                    time=moment,
                    event_type="login",
                    username=user,
                    entered_login=user,
                    real_user_id=user,
                    ip=ip,
                    application=app,
                    auth_method="password",
                    endpoint_id=f"{user}@ep-{rng.randint(1000, 9999)}",
                )
            )
            for previous, new in MOVES[: rng.randint(2, len(MOVES))]:
                moment += datetime.timedelta(minutes=rng.uniform(1, 90))
                rows.append(
                    ServerEvent(
                        time=moment, event_type="status", username=user, previous_status=previous, new_status=new
                    )
                )
            rows.append(
                ServerEvent(time=moment + datetime.timedelta(minutes=5), event_type="logout", username=user, ip=ip)
            )
        if day % 14 == 0:
            rows.append(
                ServerEvent(time=base - datetime.timedelta(hours=23), event_type="restart", description="update")
            )
        if rng.random() < 0.2:
            rows.append(ServerEvent(time=base, event_type="disconnect", description="LDAP server unreachable"))
            rows.append(
                ServerEvent(time=base + datetime.timedelta(minutes=3), event_type="connect", description="LDAP back")
            )
        if rng.random() < 0.1:
            user = rng.choice(users)
            rows.append(ServerEvent(time=base, event_type="lock", username=user, description="5 failed logins"))
            rows.append(
                ServerEvent(
                    time=base + datetime.timedelta(minutes=15),
                    event_type="unlock",
                    username=user,
                    description="the lock timed out",
                )
            )
    rows = [row for row in rows if row.time <= now]  # a day's last moves may run past the present
    ServerEvent.objects.bulk_create(rows, batch_size=2000)
    return f"{len(rows)} server events"


def _seed_audit(*, rng: random.Random, now: datetime.datetime) -> str:
    if AuditRecord.objects.filter(correlation_id="demo").exists():
        return "audit records already present"
    rows = []
    departments = ["Sales", "Support", "NOC", "Finance", "Legal"]
    for n in range(1500):
        moment = now - datetime.timedelta(days=60) + datetime.timedelta(minutes=n * 57)
        operator = rng.choice(OPERATORS)
        actor = {"actor_kind": "u", "actor_sub_id": OPERATORS.index(operator) + 1, "actor_name": operator}
        account = rng.choice(VOIP_USERS)
        pk = VOIP_USERS.index(account) + 1
        kind = rng.random()
        if kind < 0.55:
            before, after = rng.sample(departments, 2)
            action, statement = "U", f"registrations_account:id={pk}:department={after}"
            details = {"object": f"account {account}", "changes": {"department": [before, after]}}
        elif kind < 0.65:
            active = rng.random() < 0.5
            action, statement = "U", f"registrations_account:id={pk}:active={active}"
            details = {"object": f"account {account}", "changes": {"active": [not active, active]}}
        elif kind < 0.9:
            action, statement = "AUTH_OK", auth_statement(login=operator)
            details = {"application": "web console"}
        elif kind < 0.97:
            typed = rng.choice(TYPOS)
            action, statement = "AUTH_FAIL", auth_statement(login=typed)
            details = {"reason": "wrong login or password"}
            actor = {"actor_kind": "u", "actor_sub_id": 0, "actor_name": typed}
        else:
            action, statement = "PSWD_CHNG", f"i_web_user={actor['actor_sub_id']}"
            details = {"object": f"user {operator}", "changes": {"password": ["***", "***"]}}
        table = statement.split(":")[0] if ":" in statement and action in ("U",) else "auth_user"
        rows.append(
            AuditRecord(
                time=moment,
                action=action,
                statement=statement,
                resource_table=table,
                resource_id=f"id={pk}" if action == "U" else f"id={actor['actor_sub_id']}",
                ip=f"10.20.0.{rng.randint(2, 250)}",
                correlation_id="demo",
                details=details,
                **actor,
            )
        )
    AuditRecord.objects.bulk_create(rows, batch_size=500)
    pushed = _seed_server_config_changes(now=now)
    return f"{len(rows)} audit records, {pushed} server configuration changes"


# The VoIP server's own configuration changes (seed 001), as POST /api/v1/config-changes/ takes them.
SERVER_CHANGES = [
    ("conferences", "room-7", [("topic", "Weekly sync", "Design review"), ("schedule", "Mon 09:00", "Tue 10:00")]),
    ("conferences", "room-7", [("registration", False, True)]),
    ("settings", "", [("max_participants", 50, 100)]),
    ("pro_licenses", "", [("temporary_licenses", 10, 25)]),
    ("ldap", "dc1.corp.example", [("port", 389, 636), ("use_tls", False, True)]),
    ("email", "smtp.corp.example", [("sender", "video@corp.example", "noreply@corp.example")]),
    ("surveys", "after-call", [("questions", 3, 5)]),
    ("groups", "Sales", [("members", 12, 14)]),
]


def _seed_server_config_changes(*, now: datetime.datetime) -> int:
    from voipadmin.request_context import Actor, RequestContext, bound

    from .services.server_config import server_config_changes_store

    items = [
        {
            "event_id": f"demo-cfg-{n}",
            "timestamp": now - datetime.timedelta(days=30 - 3 * n, hours=2),
            "section": section,
            "object": target,
            "action": "U",
            "changes": [{"parameter": name, "before": before, "after": after} for name, before, after in changes],
            "who": "sysadmin",
            "ip": "10.20.0.5",
        }
        for n, (section, target, changes) in enumerate(SERVER_CHANGES)
    ]
    context = RequestContext(ip="10.20.0.2", correlation_id="demo", actor=Actor("t", 0, 0, "10.20.0.2", client="demo"))
    with bound(context):
        return server_config_changes_store(items=items)
