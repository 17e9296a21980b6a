"""Seed 001: a group conference's recording plays with its chat beside it; the message at the
playback time is highlighted and scrolled to, a click on a message seeks the player to it."""

import datetime

import pytest
from django.core.files.base import ContentFile

from tests.browser.conftest import log_in
from tests.conferences.factories import T0, ChatMessageFactory, RecordingFactory, SessionFactory, wav_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CURRENT = "document.querySelector('[data-chat-sync] li.current')"


def current_text(page) -> str:
    return page.evaluate(f"{CURRENT} ? {CURRENT}.dataset.offset : ''")


def test_playback_follows_the_chat_and_a_message_seeks_the_player(page, screenshot, operator):
    session = SessionFactory(session_id="S-sync", title="Design review", started_at=T0)
    lines = [(1, "anna", "Recording is on")] + [(2 + n, "bob", f"point {n}") for n in range(1, 25)]
    lines.append((28, "anna", "Thanks, that is all"))
    for n, (second, sender, text) in enumerate(lines):
        ChatMessageFactory(
            message_id=f"c{n}", session=session, sender=sender, text=text, time=T0 + datetime.timedelta(seconds=second)
        )
    sound = wav_bytes(seconds=30, rate=8000)
    recording = RecordingFactory(
        session=session, file=ContentFile(sound, name="x.wav"), size=len(sound), duration=30.0, original_name="r.wav"
    )

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "operator")
    page.goto(f"/recordings/{recording.pk}/")
    page.wait_for_function("document.querySelector('audio[data-player]').readyState >= 1")
    assert page.locator("[data-chat-sync] li").count() == len(lines)
    assert current_text(page) == ""  # nothing said before the first second

    # a click on the last message seeks the player there, highlights it and scrolls the list to it
    page.click("[data-chat-sync] li:last-child button")
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 28) < 0.1")
    page.wait_for_function(f"{CURRENT} && {CURRENT}.dataset.offset === '28.000'")
    assert page.evaluate("document.querySelector('[data-chat-sync]').scrollTop") > 0
    visible = page.evaluate(
        """() => { const list = document.querySelector('[data-chat-sync]').getBoundingClientRect();
                   const item = document.querySelector('[data-chat-sync] li.current').getBoundingClientRect();
                   return item.top >= list.top && item.bottom <= list.bottom; }"""
    )
    assert visible

    # playing from the first message moves the highlight along with the time
    page.click("h2")  # a user gesture, so the page may start sound
    page.click("[data-chat-sync] li:first-child button")
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 1) < 0.1")
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_function(f"{CURRENT} && parseFloat({CURRENT}.dataset.offset) >= 3", timeout=10000)
    assert page.locator("[data-chat-sync] li.current").count() == 1
    assert page.evaluate("document.querySelector('audio').paused") is False
    page.evaluate("document.querySelector('audio').pause()")
    page.locator("[data-chat-sync] li.current").scroll_into_view_if_needed()
    screenshot("synced-playback")
    assert errors == []
