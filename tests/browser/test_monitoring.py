"""An operator watches User Monitoring: static by default with a grey refresh button; once on,
a state pushed through the ingest turns the sticker within the 2-second update, with no reload,
and updates go on after the server stops answering for a while."""

import datetime
import io
import itertools
import json
import time
import urllib.request

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.browser.conftest import log_in
from tests.monitoring.factories import TerminalStateFactory
from tests.registrations.factories import AccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREY, GREEN = "rgb(154, 163, 178)", "rgb(46, 158, 82)"
CHANGES = "/monitoring/changes/"


@pytest.fixture
def push(live_server):
    """POST /api/v1/terminal-states/ to the live server with an ingest token, as the PBX does;
    returns the time (epoch seconds) its answer came: the state is committed by then."""
    out = io.StringIO()
    call_command("create_ingest_token", "pbx-browser", stdout=out)
    key = out.getvalue().strip()

    def send(username: str, event_id: str, **fields) -> float:
        item = {
            "event_id": event_id,
            "timestamp": timezone.now().isoformat(),
            "username": username,
            "terminal": 1,
            "kind": "sip",
            "registered": True,
            "address": "192.0.2.20",
            "model": "Yealink SIP-T46U",
            **fields,
        }
        request = urllib.request.Request(  # noqa: S310 - the live server's own http:// URL
            f"{live_server.url}/api/v1/terminal-states/",
            data=json.dumps([item]).encode(),
            headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            assert answer.status == 201, answer.read()
        return time.time()

    return send


def sticker(page, account) -> tuple[str, str]:
    row = page.locator(f'tr[data-account="{account.pk}"]')
    return row.get_attribute("data-state"), row.locator(".sticker").inner_text()


def polls_of(page) -> list[tuple[float, float]]:
    """(start, duration) in seconds of every poll the page makes from now on, once it finished,
    as the browser timed it (startTime is epoch milliseconds, responseEnd relative to it)."""
    found: list[tuple[float, float]] = []

    def finished(request) -> None:
        if CHANGES in request.url:
            timing = request.timing
            found.append((timing["startTime"] / 1000, timing["responseEnd"] / 1000))

    page.on("requestfinished", finished)
    return found


def test_refresh_turns_the_sticker_without_a_reload(page, screenshot, operator, settings, push):
    settings.MONITORING_COUNTS_SECONDS = 1  # the state counts come with every update
    interval = settings.MONITORING_REFRESH_SECONDS
    mario = AccountFactory(username="1932", first_name="Mario", last_name="Rossi", department="Support", mobile="")
    luca = AccountFactory(username="1933", first_name="Luca", last_name="Bianchi", department="Support", mobile="")
    TerminalStateFactory(account=mario, address="192.0.2.20", timestamp=timezone.now() - datetime.timedelta(hours=1))

    log_in(page, "operator")
    page.click("nav >> text=User Monitoring")
    page.wait_for_url("**/monitoring/")
    button = page.locator("[data-refresh]")
    assert button.get_attribute("aria-pressed") == "false"
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == GREY
    assert sticker(page, mario) == ("GREEN", "")
    assert sticker(page, luca) == ("GREY", "")
    sip = page.locator(f'tr[data-account="{mario.pk}"] a.term-sip')
    assert sip.get_attribute("href") == "http://192.0.2.20/"
    assert "Model: Yealink SIP-T46U" in sip.get_attribute("title")
    screenshot("static")

    page.evaluate("window.__still_this_page = true")
    # The moment (browser clock, epoch ms) Mario's row first shows RED, whenever the poll patches it.
    page.evaluate(
        f"""new MutationObserver(function () {{
            if (!window.__red_at && document.querySelector('tr[data-account="{mario.pk}"][data-state="RED"]'))
                window.__red_at = Date.now();
        }}).observe(document.querySelector("table[data-monitor] tbody"), {{childList: true, subtree: true}})"""
    )
    polls = polls_of(page)
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == GREEN
    page.wait_for_function("() => document.querySelector('[data-refresh-status]').textContent.startsWith('Updated')")

    # Right after an update answered, the PBX posts a call: the page's next update is the one due.
    with page.expect_response(lambda response: CHANGES in response.url):
        pass
    posted = push("1932", "live-1", calls_active=2)
    page.wait_for_function("() => window.__red_at", timeout=10000)
    red_at = page.evaluate("window.__red_at") / 1000
    deadline = time.monotonic() + 5
    while not any(start >= posted for start, _ in polls) and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # Playwright hands events to Python while it waits
    assert len(polls) >= 3, polls
    # Updates are `interval` apart: the timer is set once the previous answer is read, so the next
    # one starts `interval` after that (0.5 s slack for a busy test machine).
    for (start, took), (following, _) in itertools.pairwise(polls):
        assert interval <= following - start <= interval + took + 0.5, polls
    # The update that brings the call is the first to start after the POST answered; it starts
    # within `interval` of it (the previous update had just answered when the POST went out), so
    # the sticker turns within `interval` plus that one request's time, plus 0.25 s for the
    # browser to read the answer and patch the row.
    start, took = next(((start, took) for start, took in polls if start >= posted), (None, None))
    assert start is not None, f"no update started after the POST: {posted=}, {polls=}"
    assert start - posted <= interval + 0.1, (posted, polls)
    assert red_at - posted <= interval + took + 0.25, (posted, red_at, polls)
    assert sticker(page, mario) == ("RED", "2")
    assert sticker(page, luca) == ("GREY", "")
    assert page.locator('[data-count="RED"]').inner_text() == "1"
    assert page.evaluate("window.__still_this_page === true")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    screenshot("live")

    # The server stops answering: the page says so, keeps trying, and catches up afterwards.
    page.route("**/monitoring/changes/**", lambda route: route.abort())
    page.wait_for_function("() => document.querySelector('[data-refresh-status]').classList.contains('trouble')")
    assert "retrying" in page.locator("[data-refresh-status]").inner_text()
    push("1933", "live-2", calls_ringing=1)
    page.unroute("**/monitoring/changes/**")
    page.wait_for_function(
        f"() => document.querySelector('tr[data-account=\"{luca.pk}\"]').dataset.state === 'ORANGE'", timeout=20000
    )
    assert sticker(page, luca) == ("ORANGE", "1")
    assert page.evaluate("window.__still_this_page === true")

    # The choice outlives the page: on after a reload, grey again once turned off.
    page.reload()
    assert button.get_attribute("aria-pressed") == "true"
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == GREY
    screenshot("off")


def test_refresh_follows_account_edits(page, operator, settings):
    """A rename moves the row to its place; an account moved out of the filtered department
    leaves, by the poll's `hide` and, for a token too old to follow, by its `full` answer."""
    from registrations.services import accounts_upsert

    def edit(*items: dict) -> None:
        with transaction.atomic():
            accounts_upsert(items=list(items))

    people = [
        AccountFactory(username=f"19{n}", first_name=name, last_name=surname, department="Support", mobile="")
        for n, (name, surname) in enumerate([("Anna", "Bassi"), ("Bice", "Conti"), ("Ciro", "Dini")], start=40)
    ]
    log_in(page, "operator")
    page.goto("/monitoring/?department=Support")
    shown = "Array.from(document.querySelectorAll('tr[data-account]'), row => row.dataset.account).join(',')"
    assert page.evaluate(shown) == ",".join(str(person.pk) for person in people)
    page.locator("[data-refresh]").click()
    page.wait_for_function("() => document.querySelector('[data-refresh-status]').textContent.startsWith('Updated')")

    edit({"username": "1942", "last_name": "Abate"}, {"username": "1941", "department": "Sales"})
    page.wait_for_function(f"() => {shown} === '{people[2].pk},{people[0].pk}'", timeout=6000)
    row = page.locator(f'tr[data-account="{people[2].pk}"] td')
    assert [row.nth(n).inner_text() for n in (1, 2, 3)] == ["Support", "Ciro", "Abate"]

    settings.MONITORING_POLL_MAX_AGE = 0  # every token is now too old: each answer is the whole range
    edit({"username": "1940", "department": "Sales"})
    page.wait_for_function(f"() => {shown} === '{people[2].pk}'", timeout=6000)
