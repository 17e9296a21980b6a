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


def statements(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_page_of_250_users_and_its_poll_take_a_handful_of_statements(operator_client, settings):
    settings.MONITORING_PAGE_SIZE = 250
    now = timezone.now()
    crowd(400, now)
    operator_client.get(PAGE)  # the session and the permissions, read once per connection test
    count, html = statements(operator_client, PAGE)
    assert len(re.findall(r'<tr data-account="\d+"', html)) == 250
    assert count <= 6, count
    token = re.search(r'data-token="(\d+)"', html).group(1)
    upper = re.search(r'data-upper="([^"]*)"', html).group(1)
    # the same count whatever the page size: one statement for every row
    settings.MONITORING_PAGE_SIZE = 20
    assert statements(operator_client, PAGE)[0] == count

    first = Account.objects.order_by("department", "last_name", "first_name", "username").first()
    TerminalState.objects.filter(account=first).update(calls_active=3, updated_at=timezone.now())
    count, body = statements(operator_client, f"{CHANGES}?since={token}&upper={upper}")
    assert count <= 5, count
    assert re.findall(r'"id": (\d+)', body) == [str(first.pk)]


def test_a_page_filtered_by_state_reads_its_rows_with_its_accounts(operator_client, settings):
    settings.MONITORING_PAGE_SIZE = 50
    now = timezone.now()
    crowd(400, now)
    operator_client.get(PAGE)
    count, html = statements(operator_client, f"{PAGE}?state=RED&state=ORANGE")
    states = re.findall(r'<tr data-account="\d+"[^>]*data-state="(\w+)"', html)
    assert len(states) == 50 and set(states) == {"RED", "ORANGE"}
    assert count <= 8, count


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
