"""The chart machine on every report that has one: interval sizing, the selection's numbers, the
dashboard's window (CDR's own figures are in tests/cdr/test_chart.py)."""

import datetime
from urllib.parse import urlencode

import pytest

from audit.models import WebAccess
from tests.audit.factories import WebAccessFactory
from tests.registrations.factories import T0, AccountFactory, BindingFactory
from tests.sip_sessions.factories import SipEventFactory
from voipadmin.reports.charts import MAX_BARS, STEPS, step_for, step_words

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def window(name: str, start: datetime.datetime, stop: datetime.datetime) -> str:
    return urlencode({f"{name}_after": start.isoformat(), f"{name}_before": stop.isoformat()})


@pytest.mark.parametrize(
    ("span", "step"),
    [
        (datetime.timedelta(minutes=90), 60),
        (datetime.timedelta(hours=4), 120),
        (datetime.timedelta(hours=24), 600),
        (datetime.timedelta(days=7), 3600 * 2),
        (datetime.timedelta(days=31), 21600),
        (datetime.timedelta(days=120), 86400),
        (datetime.timedelta(days=365), 7 * 86400),
    ],
)
def test_the_interval_fits_the_range_in_at_most_max_bars(span, step):
    assert step_for(span) == step
    assert span.total_seconds() / step <= MAX_BARS
    smaller = STEPS[STEPS.index(step) - 1] if step != STEPS[0] else None
    assert smaller is None or span.total_seconds() / smaller > MAX_BARS


def test_interval_words():
    assert [step_words(step) for step in (60, 600, 3600, 21600, 86400, 604800)] == [
        "minute", "10 minutes", "hour", "6 hours", "day", "week",
    ]  # fmt: skip


def test_sip_events_by_type_with_errors_hatched(operator_client):
    for minutes, event in (
        (0, "REGISTER"),
        (1, "REGISTER"),
        (2, "AUTH_FAILED"),
        (61, "NETWORK_ERROR"),
        (62, "CONNECT"),
    ):
        SipEventFactory(time=T0 + datetime.timedelta(minutes=minutes), event=event)
    query = window("time", T0, T0 + 2 * HOUR)
    chart = operator_client.get(f"/sip-sessions/chart.json?{query}").json()
    assert chart["step_seconds"] == 60 and chart["total"] == 5
    counts = {bucket["start"][11:16]: bucket["counts"] for bucket in chart["buckets"] if bucket["total"]}
    assert counts == {
        "09:00": {"REGISTER": 1}, "09:01": {"REGISTER": 1}, "09:02": {"AUTH_FAILED": 1},
        "10:01": {"NETWORK_ERROR": 1}, "10:02": {"CONNECT": 1},
    }  # fmt: skip
    # the same selection, narrowed by the list's own filter
    narrowed = operator_client.get(f"/sip-sessions/chart.json?{query}&event=AUTH_FAILED&event=NETWORK_ERROR").json()
    assert narrowed["total"] == 2
    page = operator_client.get(f"/sip-sessions/chart/?{query}").content.decode()
    # errors are drawn on the alert colour, each with its own shape; REGISTER is not
    assert page.count('fill="#D55E00"') == 5  # REGISTER_FAILED, AUTH_FAILED, NETWORK_ERROR, TIMEOUT, REJECTED
    assert page.count('stroke="#000"') == 1  # the first cross-hatched, the others their own marks
    assert "AUTH_FAILED: 1" in page and "REGISTER: 2" in page


def test_accounts_online_per_interval_counts_each_account_once(operator_client):
    alice, bob = AccountFactory(username="alice"), AccountFactory(username="bob")
    # alice: two bindings at once 09:00-10:00 (counted once); bob 09:30-09:40 then removed
    BindingFactory(account=alice, registered_at=T0)
    BindingFactory(account=alice, registered_at=T0, contact="sip:alice@10.0.0.2")
    BindingFactory(
        account=bob, registered_at=T0 + 30 * datetime.timedelta(minutes=1),
        removed_at=T0 + 40 * datetime.timedelta(minutes=1), removed_reason="unregister",
    )  # fmt: skip
    query = window("registered_at", T0 - HOUR, T0 + 2 * HOUR)
    chart = operator_client.get(f"/registration-history/chart.json?{query}").json()
    assert chart["step_seconds"] == 120
    online = {bucket["start"][11:16]: bucket["total"] for bucket in chart["buckets"]}
    assert online["08:58"] == 0 and online["09:00"] == 1 and online["09:28"] == 1
    assert online["09:30"] == 2 and online["09:38"] == 2 and online["09:40"] == 1
    assert online["09:58"] == 1 and online["10:00"] == 0
    # the list's filter narrows it: bob only
    bob_only = operator_client.get(f"/registration-history/chart.json?{query}&username=bob").json()
    assert max(bucket["total"] for bucket in bob_only["buckets"]) == 1
    assert sum(bucket["total"] for bucket in bob_only["buckets"]) == 5  # 09:30 .. 09:38


def test_failed_logins_per_interval(admin_client):
    for minutes in (1, 2, 3, 70):
        WebAccessFactory(time=T0 + datetime.timedelta(minutes=minutes), outcome=WebAccess.Outcome.LOGIN_FAILED)
    WebAccessFactory(time=T0 + datetime.timedelta(minutes=4), outcome=WebAccess.Outcome.LOGIN)
    query = window("time", T0, T0 + 2 * HOUR)
    chart = admin_client.get(f"/web-sessions/chart.json?{query}").json()
    assert chart["total"] == 4
    assert {bucket["start"][11:16]: bucket["total"] for bucket in chart["buckets"] if bucket["total"]} == {
        "09:01": 1, "09:02": 1, "09:03": 1, "10:10": 1,
    }  # fmt: skip
    listed = admin_client.get(f"/web-sessions/?{query}&outcome=login_failed").content.decode()
    assert listed.count("data-pk=") == chart["total"]


def test_the_dashboard_loads_the_last_day_of_each_chart(admin_client, client, db):
    page = admin_client.get("/").content.decode()
    slots = [line for line in page.splitlines() if "data-dashboard-chart" in line]
    titles = [line.split('data-dashboard-chart="')[1].split('"')[0] for line in slots]
    assert sorted(titles) == ["Call Detail Records", "Registration History", "SIP Sessions", "Web Sessions"]
    assert "Users by state" in page  # the monitoring state counts stay beside them
    for line in slots:
        url = line.split('data-load="')[1].split('"')[0].replace("&amp;", "&")
        response = admin_client.get(url)
        assert response.status_code == 200, url
        chart = admin_client.get(url.replace("/chart/", "/chart.json")).json()
        assert chart["step_seconds"] == 600  # 24 hours in 10-minute bars


def test_a_chart_slower_than_its_timeout_says_so(operator_client, settings, monkeypatch):
    """PostgreSQL cancels the chart's read at CHART_TIMEOUT_MS (a real statement_timeout)."""
    from django.db import connection

    from voipadmin.reports import charts

    SipEventFactory(time=T0, event="REGISTER")

    def slow(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.5)")
        return []

    monkeypatch.setattr(charts, "count_rows", slow)
    settings.CHART_TIMEOUT_MS = 50
    fragment = operator_client.get("/sip-sessions/chart/")
    assert fragment.status_code == 200
    assert b"took longer than 50 ms: choose a date range" in fragment.content
    assert operator_client.get("/sip-sessions/chart.json").status_code == 503
    settings.CHART_TIMEOUT_MS = 5000
    assert operator_client.get("/sip-sessions/chart.json").json()["total"] == 0  # slept, not cancelled
