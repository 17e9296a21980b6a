"""An account's recent calls, and the report's summary strip: exact when small, sampled when not."""

import datetime

import pytest
from django.db import OperationalError

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
    page = operator_client.get("/cdr/").content.decode()
    assert "data-summary-calls>4</strong>" in page and "75.0%" in page and "20 s" in page
    assert "Exact, over the whole selection." in page
    settings.CDR_SUMMARY_ROWS = 2
    page = operator_client.get("/cdr/?disposition=ANSWERED").content.decode()
    assert "over the newest 2 calls of the selection" in page
    assert "data-first-call" not in page


def test_page_says_when_it_skipped_the_summary(operator_client, monkeypatch):
    make_calls(answered=1, busy=0)
    monkeypatch.setattr("cdr.reports.cdr_summary", lambda **kwargs: None)
    assert "data-summary-skipped" in operator_client.get("/cdr/?src=100").content.decode()
