"""An account's recent calls, and the report's summary strip: exact when small, sampled when not."""

import datetime

import pytest
from django.db import OperationalError
from django.test import Client

from cdr import selectors
from cdr.models import Cdr
from cdr.selectors import account_recent_calls, cdr_summary
from tests.cdr.factories import T0, AccountFactory, CdrFactory

pytestmark = pytest.mark.django_db


def test_account_recent_calls_newest_first_as_caller_or_callee():
    alice, bob = AccountFactory(username="alice"), AccountFactory(username="bob")
    made = [
        CdrFactory(caller=alice, callee=bob),
        CdrFactory(caller=bob, callee=alice),
        CdrFactory(caller=bob, callee=None),
        CdrFactory(caller=alice, callee=alice),  # voicemail: once, not twice
        CdrFactory(caller=None, callee=alice),
    ]
    recent = list(account_recent_calls(account=alice, limit=3))
    assert [cdr.pk for cdr in recent] == [made[4].pk, made[3].pk, made[1].pk]
    assert [cdr.pk for cdr in account_recent_calls(account=alice)] == [made[i].pk for i in (4, 3, 1, 0)]
    assert list(account_recent_calls(account=AccountFactory(username="carol"))) == []


def make_calls(answered: int, busy: int) -> None:
    for n in range(answered):
        CdrFactory(start=T0 + datetime.timedelta(minutes=n), billsec=10 * (n + 1), duration=10 * (n + 1) + 5)
    for n in range(busy):
        CdrFactory(start=T0 - datetime.timedelta(minutes=n + 1), disposition="BUSY", billsec=0, duration=3, answer=None)


def test_summary_is_exact_for_a_small_selection():
    make_calls(answered=3, busy=1)
    summary = cdr_summary(queryset=Cdr.objects.all(), rows=100, timeout_ms=1000)
    assert summary.exact and summary.calls == summary.sample == 4
    assert summary.answered == 3 and summary.answered_percent == 75
    assert summary.average_billsec == 20  # answered calls only: 10, 20, 30


def test_summary_of_a_big_selection_samples_the_newest_and_says_so():
    make_calls(answered=3, busy=2)
    summary = cdr_summary(queryset=Cdr.objects.all(), rows=3, timeout_ms=1000)
    assert not summary.exact
    assert (summary.sample, summary.answered, summary.average_billsec) == (3, 3, 20)  # the 3 newest
    assert summary.calls is None or summary.calls > 3  # the planner's estimate, never below the sample
    exact_at_the_limit = cdr_summary(queryset=Cdr.objects.filter(disposition="BUSY"), rows=2, timeout_ms=1000)
    assert exact_at_the_limit.exact and exact_at_the_limit.calls == 2


def test_summary_gives_up_rather_than_slowing_the_page(monkeypatch):
    make_calls(answered=1, busy=0)

    def too_slow(queryset, rows):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(selectors, "_figures", too_slow)
    assert cdr_summary(queryset=Cdr.objects.all(), rows=10, timeout_ms=1) is None
    assert Cdr.objects.count() == 1  # the connection is still usable


def test_summary_strip_on_the_page(operator_client, settings):
    make_calls(answered=3, busy=1)
    strip = operator_client.get("/cdr/summary/").content.decode()
    assert "data-summary-calls>4</strong>" in strip and "75.0%" in strip and "20 s" in strip
    assert "Exact, over the whole selection." in strip
    settings.CDR_SUMMARY_ROWS = 2
    strip = operator_client.get("/cdr/summary/?disposition=ANSWERED").content.decode()
    assert "over the newest 2 calls of the selection" in strip
    page = operator_client.get("/cdr/?disposition=ANSWERED&o=duration").content.decode()
    assert 'data-load="/cdr/summary/?disposition=ANSWERED"' in page  # the list's filters, not its order
    assert "data-first-call" not in page


def test_page_says_when_it_skipped_the_summary(operator_client, monkeypatch):
    make_calls(answered=1, busy=0)
    monkeypatch.setattr("cdr.views.cdr_summary", lambda **kwargs: None)
    assert "data-summary-skipped" in operator_client.get("/cdr/summary/?src=100").content.decode()


def test_the_list_never_waits_for_the_summary(operator_client, monkeypatch):
    make_calls(answered=2, busy=0)

    def not_on_the_list(**kwargs):
        raise AssertionError("the list page computed the summary")

    monkeypatch.setattr("cdr.selectors.cdr_summary", not_on_the_list)
    monkeypatch.setattr("cdr.views.cdr_summary", not_on_the_list)
    page = operator_client.get("/cdr/")
    assert page.status_code == 200 and 'data-load="/cdr/summary/"' in page.content.decode()


def test_summary_refuses_a_bad_filter_and_strangers(operator_client):
    response = operator_client.get("/cdr/summary/?billsec_min=x&colour=red")
    assert response.status_code == 400
    assert "billsec" in response.content.decode() and "colour" in response.content.decode()
    assert Client().get("/cdr/summary/").status_code == 302  # to the login page
