"""An Administrator changes the console settings on /settings/, finds the change in Configuration
Changes, and the diag button of User Monitoring then says diagnostics are off."""

import pytest

from audit.models import AuditRecord
from tests.browser.conftest import log_in
from tests.registrations.factories import AccountFactory
from voipadmin.console_settings import console_setting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_changes_settings_and_sees_them_recorded(page, screenshot, admin_user):
    account = AccountFactory(username="1932", department="Sales")
    log_in(page, "boss")
    page.click("nav >> text=Settings")
    page.wait_for_url("**/settings/")
    assert page.input_value("#id_ENDPOINT_RETENTION_DAYS") == "180"
    page.fill("#id_LOGIN_LOCKOUT_THRESHOLD", "3")
    page.fill("#id_RECORDING_RETENTION_DAYS", "365")
    page.uncheck("#id_MONITORING_DIAGNOSTICS_ENABLED")
    page.select_option("#id_MONITORING_DIAGNOSTICS_DETAIL", "full")
    screenshot("settings")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved:")
    assert page.input_value("#id_LOGIN_LOCKOUT_THRESHOLD") == "3"
    assert console_setting("LOGIN_LOCKOUT_THRESHOLD") == 3
    assert console_setting("MONITORING_DIAGNOSTICS_ENABLED") is False
    assert AuditRecord.objects.filter(resource_table="voipadmin_consolesetting").count() == 4

    page.click("text=Configuration Changes")
    page.wait_for_url("**/config-changes/**")
    table = page.locator("table.report tbody").inner_text()
    assert "LOGIN_LOCKOUT_THRESHOLD: 5 → 3" in table
    assert "MONITORING_DIAGNOSTICS_ENABLED: True → False" in table
    screenshot("config-changes")

    page.goto("/monitoring/")
    diag = page.locator(f"tr[data-account='{account.pk}'] [data-diag-off]")
    assert diag.inner_text() == "diag off"
    diag.click()
    page.wait_for_url(f"**/monitoring/{account.pk}/diagnostics/")
    assert "Diagnostics are off" in page.locator("[data-diagnostics-off]").inner_text()
