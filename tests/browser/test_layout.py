"""Every page of the menu fits the screen at a desktop (1440x900) and a phone (390x844): the page
body never scrolls sideways, long cells are clipped with the full value in the hover, and on the
phone the menu folds behind a button."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from audit.models import AuditRecord
from tests.browser.conftest import ARTIFACTS, log_in
from tests.cdr.factories import CdrFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
# Third-party pages in the menu (Django's admin, the OpenAPI viewer) keep their own layout.
OWN_LAYOUT = ("/admin/", "/api/")
LONG_CHANNEL = "PJSIP/trunk-provider-with-a-very-long-name-0000000a;2/" + "x" * 80


def _wide_rows() -> None:
    """The rows that made pages wide: one permissions statement, CDR channels, many filters."""
    call_command("seed_demo", "--scale", "0.02", stdout=io.StringIO())
    Group.objects.create(name="Everything").permissions.set(Permission.objects.all())
    CdrFactory(channel=LONG_CHANNEL, dstchannel=LONG_CHANNEL, lastapp="Dial")


def _menu_paths(page) -> list[str]:
    page.goto("/")
    hrefs = page.locator("nav.sidebar .nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [href for href in hrefs if not href.startswith(OWN_LAYOUT)]


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("size", list(SIZES))
def test_every_menu_page_fits_without_sideways_scroll(browser, live_server, superuser, size):
    _wide_rows()
    width, height = SIZES[size]
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        log_in(page, "root")
        paths = _menu_paths(page)
        assert {"/audit/", "/cdr/", "/registrations/", "/endpoints/", "/monitoring/", "/preferences/"} <= set(paths)
        ARTIFACTS.mkdir(exist_ok=True)
        wide = {}
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, path
            if _overflow(page) > 0:
                wide[path] = _overflow(page)
            shot = ARTIFACTS / f"layout-{size}-{path.strip('/').replace('/', '-') or 'dashboard'}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 1000
        assert wide == {}, f"pages wider than {width} px (by px): {wide}"
    finally:
        context.close()


def test_long_statement_is_clipped_with_the_full_value_in_the_hover(page, superuser):
    Group.objects.create(name="Everything").permissions.set(Permission.objects.all())
    record = AuditRecord.objects.filter(resource_table="auth_group").order_by("-pk").first()
    assert len(record.statement) > 2000
    log_in(page, "root")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/audit/")
    cell = page.locator(f"tr[data-pk='{record.pk}'] td.clip")
    assert cell.get_attribute("title").startswith(record.statement)
    assert cell.bounding_box()["width"] < 600
    assert _overflow(page) <= 0
    page.locator(f"tr[data-pk='{record.pk}'] td").nth(1).click()
    panel = page.locator("#detail-panel:not([hidden])")
    panel.wait_for()
    assert record.statement[-40:] in panel.inner_text()


def test_phone_menu_opens_behind_its_button(page, superuser):
    log_in(page, "root")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    link = page.locator("nav.sidebar .nav a", has_text="Audit Log")
    assert not link.is_visible()
    page.click("label.menu-button")
    assert link.is_visible()
    link.click()
    page.wait_for_url("**/audit/")
    assert _overflow(page) <= 0
