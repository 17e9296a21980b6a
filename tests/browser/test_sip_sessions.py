"""An operator filters SIP Sessions, clicks a username and reads that user's SIP history."""

import datetime

import pytest
from django.utils import timezone

from sip_sessions.reconcile import reconcile
from tests.browser.conftest import log_in
from tests.registrations.factories import AccountFactory, BindingFactory
from tests.sip_sessions.factories import SipEventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_click_a_username_see_the_users_history(page, screenshot, operator):
    now = timezone.now()
    mario = AccountFactory(username="1932", first_name="Mario", last_name="Rossi")
    start = now - datetime.timedelta(hours=2)
    BindingFactory(account=mario, registered_at=start, expires_at=now + datetime.timedelta(hours=1))
    BindingFactory(
        account=AccountFactory(username="1101"),
        remote_ip="203.0.113.30",
        registered_at=start,
        expires_at=now + datetime.timedelta(hours=1),
    )
    minute = datetime.timedelta(minutes=1)
    for n in range(3):
        SipEventFactory(time=start + (10 + n) * minute, event="CONNECT", details=f"flow {n} opened")
        SipEventFactory(time=start + (20 + n) * minute, event="CONNECT", remote_ip="203.0.113.30")
    SipEventFactory(time=start + 40 * minute, event="NETWORK_ERROR", details="Connection reset by peer")
    SipEventFactory(time=start + 41 * minute, event="DISCONNECT", details="disconnected after NETWORK_ERROR")
    SipEventFactory(time=start + 50 * minute, event="DISCONNECT", remote_ip="203.0.113.30")
    SipEventFactory(time=start + 60 * minute, event="CONNECT", remote_ip="198.51.100.66", remote_port=40000)
    reconcile()

    log_in(page, "operator")
    page.click("nav >> text=SIP Sessions")
    page.wait_for_url("**/sip-sessions/")
    assert "Reconciliation last ran" in page.locator("[data-reconciliation]").inner_text()
    rows = page.locator("table.report tbody tr[data-pk]")
    assert rows.count() == 10

    # filter: the disconnections (multi-select), newest first
    page.click("[data-filter=event] summary")
    page.check("[data-filter=event] input[value=DISCONNECT]")
    page.check("[data-filter=event] input[value=NETWORK_ERROR]")
    page.click("button:has-text('Search')")
    page.wait_for_url("**event=DISCONNECT**")
    assert rows.count() == 3
    assert page.locator("table.report tbody tr td:nth-child(3)").all_inner_texts() == [
        "DISCONNECT",
        "DISCONNECT",
        "NETWORK_ERROR",
    ]
    assert page.locator("table.report tbody tr td:nth-child(6)").all_inner_texts() == ["1101", "1932", "1932"]
    screenshot("filtered")

    # the username of the network error opens 1932's whole SIP history
    page.locator("table.report tbody tr:has(td:nth-child(3):text-is('NETWORK_ERROR')) a:text-is('1932')").click()
    page.wait_for_url("**/sip-sessions/?username=1932")
    assert rows.count() == 5
    assert set(page.locator("table.report tbody tr td:nth-child(6)").all_inner_texts()) == {"1932"}
    assert set(page.locator("table.report tbody tr td:nth-child(7)").all_inner_texts()) == {"yes"}
    assert page.locator("table.report tbody tr td:nth-child(5)").first.inner_text() == "203.0.113.10:5060/UDP"
    assert "Username: 1932" in page.locator(".chips").inner_text()
    screenshot("history")

    # who is online now, and the account page behind the Id
    page.click("nav >> text=Registered Accounts")
    page.wait_for_url("**/registrations/")
    page.locator("table.report tbody tr", has_text="1932").locator("td:nth-child(2) a").click()
    page.wait_for_url(f"**/accounts/{mario.pk}/")
    assert "Mario Rossi" in page.locator("h1").inner_text()
    assert "NETWORK_ERROR" in page.locator("[data-last-sip-events]").inner_text()
    screenshot("account")
