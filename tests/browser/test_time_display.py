"""User Monitoring's "Updated" line writes the time as every list does: 24-hour, in the viewer's
zone from their preferences, not in the browser's zone or locale."""

import datetime

import pytest

from tests.browser.conftest import log_in
from voipadmin.models import Preference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 14:05:09 in Tokyo; 00:05:09 (12:05:09 AM) in New York, the browser's own zone.
MOMENT = datetime.datetime(2026, 12, 3, 5, 5, 9, tzinfo=datetime.UTC)


def test_updated_line_is_24_hour_in_the_viewers_zone(browser, live_server, operator):
    Preference.objects.update_or_create(user=operator, defaults={"time_zone": "Asia/Tokyo"})
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        timezone_id="America/New_York",
        viewport={"width": 1440, "height": 900},
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        log_in(page, "operator")
        page.clock.set_fixed_time(MOMENT)
        page.goto("/monitoring/")
        page.clock.set_fixed_time(MOMENT)
        page.click("[data-refresh]")
        status = "document.querySelector('[data-refresh-status]')"
        page.wait_for_function(f"() => {status}.textContent.startsWith('Updated')")
        assert page.locator("[data-refresh-status]").inner_text().startswith("Updated 14:05:09")
    finally:
        context.close()
