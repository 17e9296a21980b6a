"""The page's one statement reads an account's live binding as one index range, however many of
its bindings lapsed unremoved, and the state filter's window of the order is an index range too
(issue 16: 13 lapsed bindings an account at SCALE=10m were a heap visit each, per page row)."""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring.filters import MonitoringFilter
from monitoring.models import TerminalState
from monitoring.selectors import _rows_by_orm
from monitoring.wall import user_page
from registrations.models import Account, RegistrationBinding
from tests.registrations.factories import BindingFactory
from voipadmin.reports import validated_filterset

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def lapsed(db):
    """40 users in calls, each with 12 bindings that lapsed without being removed; half of them
    with a live binding too."""
    now = timezone.now()
    accounts = Account.objects.bulk_create(
        [Account(username=f"u{n:03d}", last_name=f"S{n % 9}", department=f"D{n % 2}") for n in range(40)]
    )
    TerminalState.objects.bulk_create(
        [
            TerminalState(account=account, terminal=1, kind="sip", registered=True, calls_active=n % 2,
                          calls_ringing=1 - n % 2, event_id=f"t{n}", timestamp=now - 30 * 24 * HOUR, updated_at=now)
            for n, account in enumerate(accounts)
        ]
    )  # fmt: skip
    for n, account in enumerate(accounts):
        for k in range(12):
            start = now - (k + 2) * 24 * HOUR
            BindingFactory(account=account, registered_at=start, expires_at=start + HOUR)
        if n % 4 < 2:
            BindingFactory(account=account, registered_at=now - HOUR, expires_at=now + HOUR, user_agent="live one")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registrations_registrationbinding")
        cursor.execute("ANALYZE registrations_account")
        cursor.execute("ANALYZE monitoring_terminalstate")
    return accounts


def rows_plan(query: str) -> tuple[str, list]:
    """The plan of the page's rows statement (index reads preferred, as on a big table), and its rows."""
    filterset = validated_filterset(MonitoringFilter, QueryDict(query), Account.objects.all())
    with CaptureQueriesContext(connection) as queries:
        wall = user_page(filterset, size=10)
    sql = next(query["sql"] for query in queries.captured_queries if "WITH ORDINALITY" in query["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(line for (line,) in cursor.fetchall()), wall.rows


def test_the_live_binding_is_one_range_of_the_account_s_partial_index(lapsed):
    plan, _rows = rows_plan("state=RED&state=ORANGE")
    assert "Index Cond: ((ROW(account_id, expires_at) > ROW(a.id" in plan, plan
    # the window of the order the state filter looks at: a range, not NOT (a comparison) per account
    assert "ROW((department)::text, (last_name)::text, (first_name)::text, (username)::text) <= ROW(" in plan, plan
    assert "NOT (ROW(" not in plan, plan
    assert RegistrationBinding.objects.filter(removed_at__isnull=True).count() == 40 * 12 + 20


def test_the_rows_are_those_of_the_separate_reads(lapsed):
    _plan, rows = rows_plan("state=RED&state=ORANGE")
    expected = {row.account_id: row for row in _rows_by_orm(Account.objects.all(), timezone.now())}
    assert len(rows) == 10
    for row in rows:
        assert (row.state, row.calls, row.terminals) == (
            expected[row.account_id].state,
            expected[row.account_id].calls,
            expected[row.account_id].terminals,
        )
    # a user with a live binding shows it as registered, one whose bindings all lapsed does not
    assert {row.terminals[0].registered for row in rows} == {True, False}
