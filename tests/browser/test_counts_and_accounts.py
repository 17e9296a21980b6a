"""Counts a person can trust, Registered Accounts one row per account, Delete by the typed fields."""

import datetime

import pytest
from django.utils import timezone

from audit.models import WebAccess
from tests.audit.factories import WebAccessFactory
from tests.browser.conftest import log_in
from tests.registrations.factories import AccountFactory, BindingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counts_and_delete_by_the_typed_fields(page, screenshot, admin_user, settings):
    settings.REPORT_COUNT_CAP = 60
    for n in range(70):
        WebAccessFactory(principal="FID-S5" if n < 3 else f"FID-{n}", outcome="login_failed")
    log_in(page, "boss")
    page.goto("/web-sessions/?outcome=login_failed")
    assert page.locator("[data-row-count]").inner_text().strip() == "60+ rows"
    page.click("details.filter-panel > summary")  # folded once a filter is applied
    page.fill("[data-filter=principal] input", "FID-8")
    page.click("button:has-text('Search')")
    page.wait_for_url("**principal=FID-8**")
    assert page.locator("[data-row-count]").inner_text().strip() == "1 row"
    screenshot("counts")

    # typed, not searched: Delete takes the field as it stands, not the applied FID-8
    page.click("details.filter-panel > summary")
    page.fill("[data-filter=principal] input", "FID-S5")
    page.click("[data-delete]")
    page.wait_for_url("**/web-sessions/delete/**principal=FID-S5**")
    assert page.locator("[data-delete-count]").inner_text().startswith("3")
    assert "Principal: FID-S5" in page.locator(".chips").inner_text()
    screenshot("delete-confirm")
    page.click("button.danger:has-text('Delete 3 rows')")
    page.wait_for_url("**/deletions/**")
    assert WebAccess.objects.filter(principal="FID-S5").count() == 0
    assert WebAccess.objects.filter(principal="FID-8").count() == 1


def test_registered_accounts_one_row_per_account(page, screenshot, admin_user):
    now = timezone.now()
    mario = AccountFactory(username="1932", display_name="Mario Rossi", department="Support")
    BindingFactory(account=mario, registered_at=now, expires_at=now + datetime.timedelta(minutes=30))
    BindingFactory(
        account=mario,
        contact="sip:1932@10.0.0.8:52000;transport=wss",
        remote_ip="198.51.100.4",
        remote_port=52000,
        transport="WSS",
        user_agent="Softphone 3.1",
        registered_at=now,
        expires_at=now + datetime.timedelta(minutes=50),
    )
    BindingFactory(
        account=AccountFactory(username="1001", display_name="Anna Verdi"),
        registered_at=now,
        expires_at=now + datetime.timedelta(hours=1),
        transport="TLS",
    )
    log_in(page, "boss")
    page.goto("/registrations/")
    rows = page.locator("table.report tbody tr[data-pk]")
    assert rows.count() == 2
    assert rows.nth(1).locator("[data-contact]").count() == 2
    assert "Softphone 3.1" in rows.nth(1).inner_text()
    assert page.locator("[data-row-count]").inner_text().strip() == "2 rows"
    screenshot("list")
    page.click("th >> text=Contacts")
    page.wait_for_url("**o=contacts**")
    assert rows.first.locator("td:nth-child(3)").inner_text() == "1001"
    rows.nth(1).locator("a[data-detail-link]").click()
    page.wait_for_selector("#detail-panel:not([hidden]) [data-live-contacts]")
    assert "sip:1932@10.0.0.8:52000;transport=wss" in page.locator("#detail-panel").inner_text()
    screenshot("contacts")
