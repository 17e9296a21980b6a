"""Demo web accesses: two months of operators logging in and out, with some mistyped logins."""

import datetime
import ipaddress
import random

from django.utils import timezone

from .models import WebAccess

OPERATORS = ["admin", "m.rossi", "l.bianchi", "support.anna", "noc.night", "j.smith"]
TYPOS = ["amdin", "m.rosi", "root", "administrator", "l.bianci", "test"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "curl/8.5.0",
]


def seed(*, rng: random.Random, scale: float) -> str:
    if WebAccess.objects.exists():
        return "web accesses already present"
    now = timezone.now()
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
