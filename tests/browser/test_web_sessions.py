"""A person logs in, opens Web Sessions, filters, sorts, exports and deletes the filtered rows."""

import csv
import datetime
import io

import pytest

from audit.models import AuditRecord, WebAccess
from tests.audit.factories import WebAccessFactory
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

T0 = datetime.datetime(2026, 11, 1, 8, tzinfo=datetime.UTC)


def test_web_sessions_end_to_end(page, screenshot, admin_user, support):
    for n in range(6):
        WebAccessFactory(
            time=T0 + datetime.timedelta(hours=n), principal=f"typo{n}", outcome="login_failed", ip=f"203.0.113.{n + 1}"
        )
    for n in range(4):
        WebAccessFactory(time=T0 + datetime.timedelta(hours=n, minutes=30), principal=f"staff{n}", outcome="login")

    log_in(page, "boss")
    page.click("nav >> text=Web Sessions")
    page.wait_for_url("**/web-sessions/")
    rows = page.locator("table.report tbody tr[data-pk]")
    assert rows.count() == 11  # ten made above and this login

    # filter: event type "Failed login" through the multi-select
    page.click("[data-filter=outcome] summary")
    page.check("[data-filter=outcome] input[value=login_failed]")
    page.click("button:has-text('Search')")
    page.wait_for_url("**outcome=login_failed**")
    assert rows.count() == 6
    # the applied filter folds the form away and shows as a chip; unfolded, the multi-select says it
    assert page.locator("span.chip").inner_text().startswith("Event type: Failed login")
    page.click("details.filter-panel > summary")
    assert page.locator("[data-filter=outcome] summary").inner_text() == "Failed login"

    # sort by principal, then reverse it
    page.click("th >> text=Principal")
    page.wait_for_url("**o=principal**")
    assert page.locator("table.report tbody tr td:nth-child(3)").all_inner_texts() == [f"typo{n}" for n in range(6)]
    page.click("th >> text=Principal")
    page.wait_for_url("**o=-principal**")
    assert page.locator("table.report tbody tr td:nth-child(3)").first.inner_text() == "typo5"

    # the looking-glass link, reached from the keyboard, opens the detail panel beside the table
    details = rows.first.locator("a[data-detail-link]")
    assert details.get_attribute("href") == f"/web-sessions/{rows.first.get_attribute('data-pk')}/"
    details.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#detail-panel:not([hidden]) dl.fields")
    assert page.url.endswith("o=-principal")  # the panel, not a page change
    assert "typo5" in page.locator("#detail-panel").inner_text()
    screenshot("filtered")

    # export the filtered, sorted selection
    with page.expect_download() as download_info:
        page.click("[data-export]")
    content = download_info.value.path().read_text()
    exported = list(csv.reader(io.StringIO(content)))
    assert exported[0][0] == "Date (UTC)"
    assert [row[1] for row in exported[1:]] == [f"typo{n}" for n in range(5, -1, -1)]

    # delete the filtered rows after the confirmation
    page.click("[data-delete]")
    page.wait_for_url("**/web-sessions/delete/**")
    assert page.locator("[data-delete-count]").inner_text().startswith("6")
    screenshot("confirm")
    page.click("button.danger")
    page.wait_for_selector("[data-job-state=done]")
    assert page.locator("[data-deleted]").inner_text().startswith("6")
    screenshot("deleted")
    assert not WebAccess.objects.filter(outcome="login_failed").exists()
    assert WebAccess.objects.filter(outcome="login").count() == 5
    assert AuditRecord.objects.filter(action="D", resource_table="audit_webaccess").count() == 1
