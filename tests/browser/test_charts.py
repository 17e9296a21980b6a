"""A person sees the chart above the CDR list, narrows the list and the chart follows; the dashboard
shows the last 24 hours of every chart beside the monitoring state counts."""

import datetime

import pytest
from django.utils import timezone

from tests.audit.factories import WebAccessFactory
from tests.browser.conftest import log_in
from tests.cdr.factories import T0, CdrFactory
from tests.sip_sessions.factories import SipEventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = "start_after=2026-11-10T00:00:00%2B00:00&start_before=2026-11-10T23:59:59%2B00:00"


def test_cdr_chart_follows_the_filter(page, screenshot, admin_user):
    dispositions = ["ANSWERED"] * 5 + ["NO_ANSWER", "BUSY", "FAILED"]
    for n in range(80):
        disposition = dispositions[(n * 7) % len(dispositions)]
        billsec = 0 if disposition != "ANSWERED" else 30 + n
        CdrFactory(
            start=T0 + datetime.timedelta(minutes=9 * n), disposition=disposition, billsec=billsec,
            duration=billsec + 5, answer=None if not billsec else T0,
        )  # fmt: skip
    log_in(page, "boss")
    page.goto(f"/cdr/?{DAY}")
    chart = page.locator("[data-chart-slot] figure.chart")
    chart.wait_for()
    total = int(chart.get_attribute("data-chart-total"))
    assert total == sum(1 for n in range(80) if T0 + datetime.timedelta(minutes=9 * n) < T0.replace(hour=23, minute=59))
    assert page.locator("[data-chart-slot] [data-figure=ASR]").inner_text().endswith("%")
    # each bar's numbers on hover: the <title> of its group
    assert page.locator("[data-chart-slot] g.chart-bar title").count() == 144
    screenshot("chart")
    page.goto(f"/cdr/?{DAY}&disposition=BUSY&disposition=FAILED")
    narrowed = page.locator("[data-chart-slot] figure.chart")
    narrowed.wait_for()
    rows = page.locator("table[data-report=cdr] tbody tr[data-pk]").count()
    assert int(narrowed.get_attribute("data-chart-total")) == rows
    page.click("details.chart-slot > summary")  # collapses
    assert not page.locator("[data-chart-slot]").is_visible()


def test_dashboard_shows_the_last_day(page, screenshot, admin_user):
    now = timezone.now()
    for n in range(40):
        # inside the window the dashboard asks for (to the minute, from a request made a little later)
        when = now - datetime.timedelta(minutes=2 + 31 * n)
        CdrFactory(start=when, disposition="ANSWERED" if n % 3 else "BUSY")
        SipEventFactory(time=when, event="REGISTER" if n % 4 else "AUTH_FAILED")
        if n % 5 == 0:
            WebAccessFactory(time=when, outcome="login_failed")
    log_in(page, "boss")
    page.goto("/")
    for title in ("Call Detail Records", "SIP Sessions", "Registration History", "Web Sessions"):
        page.locator(f'[data-dashboard-chart="{title}"] figure.chart').wait_for()
    assert (
        int(page.locator('[data-dashboard-chart="Call Detail Records"] figure').get_attribute("data-chart-total")) == 40
    )
    assert page.get_by_text("Users by state").is_visible()
    screenshot("dashboard")
