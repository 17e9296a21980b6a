"""A page of User Monitoring and its poll in a handful of statements, with the same rows as the
reads they replace: the accounts, their terminal states and their bindings in one statement (ids
as one array), whatever the page size."""

import datetime
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring.models import TerminalState
from monitoring.poll import encode_token
from monitoring.selectors import _rows_by_orm, ordered_rows, user_rows
from registrations.models import Account, RegistrationBinding
from tests.registrations.factories import BindingFactory

pytestmark = pytest.mark.django_db

PAGE, CHANGES = "/monitoring/", "/monitoring/changes/"
MINUTE = datetime.timedelta(minutes=1)
KINDS = ("sip", "dect", "usb", "mobile")


def crowd(count: int, now: datetime.datetime, seed: int = 5) -> list[Account]:
    """`count` users with up to four terminals each (some ringing or in calls), live bindings, and
    bindings that ended before or after their SIP push; all written an hour ago."""
    rng = random.Random(seed)
    an_hour_ago = now - 60 * MINUTE
    accounts = Account.objects.bulk_create(
        [
            Account(
                username=f"u{n:04d}",
                first_name=f"Name{n % 7}",
                last_name=f"Surname{n % 13}",
                department=f"Dept{n % 3}",
                extension=f"{2000 + n}",
                mobile=rng.choice(["", "+39 333 1"]),
            )
            for n in range(count)
        ]
    )
    states = []
    for n, account in enumerate(accounts):
        for slot in rng.sample([1, 2, 3, 4], rng.randint(0, 4)):
            states.append(
                TerminalState(
                    account=account,
                    terminal=slot,
                    kind=rng.choice(KINDS),
                    registered=rng.random() < 0.6,
                    calls_ringing=int(rng.random() < 0.1),
                    calls_active=int(rng.random() < 0.1),
                    address=f"192.0.2.{n % 250}",
                    model="Yealink T46U",
                    event_id=f"s{n}-{slot}",
                    timestamp=now - rng.choice([10, 90, 300]) * MINUTE,
                    updated_at=an_hour_ago,
                )
            )
    TerminalState.objects.bulk_create(states)
    for account in accounts:
        for _ in range(rng.randint(0, 2)):
            start = now - rng.choice([20, 120, 400]) * MINUTE
            removed = rng.choice([None, None, start + rng.choice([5, 100, 500]) * MINUTE])
            BindingFactory(
                account=account,
                registered_at=start,
                expires_at=start + rng.choice([15, 60, 600]) * MINUTE,
                removed_at=removed,
                removed_reason="unregister" if removed else "",
                contact=f"sip:{account.username}@198.51.100.{rng.randint(1, 250)}:5060",
            )
    RegistrationBinding.objects.update(updated_at=an_hour_ago)
    Account.objects.update(updated_at=an_hour_ago)
    return accounts


def shown(row) -> tuple:
    terminals = [
        (t.slot, t.kind, t.registered, t.calls_ringing, t.calls_active, t.address, t.source) for t in row.terminals
    ]
    return (row.account_id, row.state, row.calls, terminals, row.signature)


def test_the_rows_of_one_statement_are_those_of_the_separate_reads():
    now = timezone.now()
    crowd(120, now)
    expected = sorted(shown(row) for row in _rows_by_orm(Account.objects.all(), now))
    assert len({state for _id, state, *_rest in expected}) == 4  # every state is on the test
    assert sorted(shown(row) for row in user_rows(Account.objects.all(), now=now)) == expected
    some = Account.objects.filter(department="Dept1")
    assert sorted(shown(row) for row in user_rows(some, now=now)) == sorted(
        shown(row) for row in _rows_by_orm(some, now)
    )
    assert user_rows(Account.objects.none(), now=now) == []


def test_ordered_rows_keep_the_order_and_the_limit_of_the_queryset():
    now = timezone.now()
    crowd(40, now)
    ordered = Account.objects.order_by("-extension")
    rows = ordered_rows(ordered, 25, now=now)
    assert [row.account_id for row in rows] == list(ordered.values_list("pk", flat=True)[:25])
    by_id = {row.account_id: shown(row) for row in _rows_by_orm(Account.objects.all(), now)}
    assert [shown(row) for row in rows] == [by_id[row.account_id] for row in rows]


# What every page of the console reads before the view runs: the session, the user, their groups
# (the menu), their preferences, their permissions (two).
REQUEST = 6


def statements(client, path: str) -> tuple[list[str], str]:
    """The SQL of what the view itself ran (the request's own reads left out), and the body."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries][REQUEST:], response.content.decode()


def rows_statements(sqls: list[str]) -> list[str]:
    """The statements that read terminal states: one, reading the accounts and bindings too."""
    found = [sql for sql in sqls if "monitoring_terminalstate" in sql]
    assert all("registrations_registrationbinding" in sql and "registrations_account" in sql for sql in found)
    return found


def test_a_page_of_250_users_and_its_poll_take_a_handful_of_statements(
    operator_client, settings, django_assert_max_num_queries
):
    settings.MONITORING_PAGE_SIZE = 250
    now = timezone.now()
    crowd(400, now)
    operator_client.get(PAGE)  # what a process reads once (the console's settings) is read
    with django_assert_max_num_queries(REQUEST + 4):  # departments, the token (two in a test), the rows
        response = operator_client.get(PAGE)
    sqls, html = statements(operator_client, PAGE)
    assert len(re.findall(r'<tr data-account="\d+"', html)) == 250
    assert len(rows_statements(sqls)) == 1
    assert not any("IN (" in sql and "registrations_account" in sql for sql in sqls)  # no list of ids
    assert response.content.decode().count("<tr data-account") == 250
    token = re.search(r'data-token="(\d+)"', html).group(1)
    upper = re.search(r'data-upper="([^"]*)"', html).group(1)
    # the same statements whatever the page size
    settings.MONITORING_PAGE_SIZE = 20
    assert len(statements(operator_client, PAGE)[0]) == len(sqls)

    pushed = Account.objects.filter(pk__in=TerminalState.objects.values("account_id"))
    first = pushed.order_by("department", "last_name", "first_name", "username").first()
    TerminalState.objects.filter(account=first).update(calls_active=3, updated_at=timezone.now())
    with django_assert_max_num_queries(REQUEST + 4):  # the token (two), what changed, the rows
        response = operator_client.get(f"{CHANGES}?since={token}&upper={upper}")
    assert [row["id"] for row in response.json()["rows"]] == [first.pk]
    assert response.json()["rows"][0]["state"] == "RED"
    sqls, _body = statements(operator_client, f"{CHANGES}?since={token}&upper={upper}")
    assert len(rows_statements(sqls)) == 2  # what changed (an index range of each table), the rows


def test_a_page_filtered_by_state_reads_its_rows_with_its_accounts(operator_client, settings):
    settings.MONITORING_PAGE_SIZE = 50
    now = timezone.now()
    crowd(400, now)
    operator_client.get(PAGE)
    sqls, html = statements(operator_client, f"{PAGE}?state=RED&state=ORANGE")
    states = re.findall(r'<tr data-account="\d+"[^>]*data-state="(\w+)"', html)
    assert len(states) == 50 and set(states) == {"RED", "ORANGE"}
    # departments, the token (two), then for each window of the order looked at its edge and the
    # rows it keeps: no transaction, no SET LOCAL (RED and ORANGE read no state SQL)
    windows = len(rows_statements(sqls))
    assert 1 <= windows <= 3 and len(sqls) == 3 + 2 * windows
    assert not any("jit" in sql for sql in sqls)


def test_the_poll_hides_an_account_edited_out_of_the_filter(operator_client):
    now = timezone.now()
    crowd(30, now)
    moved = Account.objects.filter(department="Dept1").first()
    since = timezone.now() - MINUTE
    moved.department = "Dept2"
    moved.save()
    answer = operator_client.get(f"{CHANGES}?since={encode_token(since)}&department=Dept1").json()
    assert answer["rows"] == [] and answer["hide"] == [moved.pk]
    answer = operator_client.get(f"{CHANGES}?since={encode_token(since)}&department=Dept2").json()
    assert [row["id"] for row in answer["rows"]] == [moved.pk] and answer["hide"] == []
