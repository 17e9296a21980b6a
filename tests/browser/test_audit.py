"""An admin changes an account in the admin, then finds the change in the Audit Log and in
Configuration Changes with the value before and after."""

import pytest

from audit.models import AuditRecord
from tests.audit.factories import AccountFactory
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_change_shows_in_audit_log_and_config_changes(page, screenshot, superuser):
    account = AccountFactory(username="alice", display_name="Alice A", department="Sales")
    log_in(page, "root")

    page.goto(f"/admin/registrations/account/{account.pk}/change/")
    page.fill("#id_department", "Support")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/registrations/account/")
    record = AuditRecord.objects.get(resource_table="registrations_account", action="U")
    assert record.details["changes"] == {"department": ["Sales", "Support"]}

    page.goto("/")
    page.click("nav >> text=Audit Log")
    page.wait_for_url("**/audit/")
    row = page.locator(f"table.report tbody tr[data-pk='{record.pk}']")
    assert row.locator("td").nth(3).inner_text() == "U"
    assert row.locator("td").nth(3).get_attribute("title") == (
        "Update a record — table_name:key1=val1[,key2=val2...]:field1=newval1"
    )
    assert f"registrations_account:id={account.pk}:department=Support" in row.inner_text()
    assert row.locator("td").nth(4).inner_text() == f"u:0:{superuser.pk}:root"
    row.click(position={"x": 5, "y": 5})
    page.wait_for_selector("#detail-panel:not([hidden]) table.changes")
    screenshot("audit-log")

    page.click("nav >> text=Configuration Changes")
    page.wait_for_url("**/config-changes/")
    change = page.locator(f"table.report tbody tr[data-pk='{record.pk}']")
    assert "department: Sales → Support" in change.inner_text()
    change.click(position={"x": 5, "y": 5})
    page.wait_for_selector("#detail-panel:not([hidden]) tr[data-parameter=department]")
    cells = page.locator("#detail-panel tr[data-parameter=department] td")
    assert cells.all_inner_texts() == ["Sales", "Support"]
    screenshot("config-changes")
