"""A person opens a conference session, plays its recording (and seeks in it), searches endpoints;
an admin goes from a recording to its conference and deletes another recording from the list."""

import datetime
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from conferences.models import Conference, Recording
from tests.browser.conftest import log_in
from tests.conferences.factories import (
    T0,
    ChatMessageFactory,
    EndpointFactory,
    ParticipationFactory,
    RecordingFactory,
    SessionFactory,
    wav_bytes,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_session_playback_and_endpoint_search(page, screenshot, operator):
    session = SessionFactory(session_id="S-review", title="Design review", owner="anna", started_at=T0)
    anna = EndpointFactory(endpoint_id="anna@video/1", username="anna", application="TrueConf Desktop")
    guest = EndpointFactory(
        endpoint_id="web-1", username="#guest:1", logged_user="", application="webclient", os="Linux", cpu=""
    )
    EndpointFactory(endpoint_id="web-2", username="bob", application="webclient")
    ParticipationFactory(session=session, participant="anna", display_name="Anna", endpoint=anna)
    for minute, name in ((5, "Visitor"), (20, "Dan from ACME")):
        ParticipationFactory(
            session=session,
            participant=f"#guest:{minute}",
            display_name=name,
            guest=True,
            identity="guest:web-1",
            endpoint=guest,
            joined_at=T0 + datetime.timedelta(minutes=minute),
            left_at=T0 + datetime.timedelta(minutes=minute + 5),
        )
    session.participant_count, session.connection_count = 2, 3
    session.save()
    ChatMessageFactory(session=session, sender="anna", text="Recording is on")
    sound = wav_bytes(seconds=20, rate=8000)
    recording = RecordingFactory(
        session=session, file=ContentFile(sound, name="x.wav"), size=len(sound), original_name="Design review.wav"
    )

    log_in(page, "operator")
    page.goto("/conferences/")
    page.click("a[href='/conferences/S-review/']:not([data-detail-link])")  # the Session ID, not the panel's
    page.wait_for_url("**/conferences/S-review/")
    assert page.locator("[data-distinct]").inner_text() == "2"
    assert page.locator("[data-connections]").inner_text() == "3"
    assert page.locator("[data-participation]").count() == 3
    assert page.locator("[data-chat]").inner_text().count("Recording is on") == 1
    screenshot("session")

    media = []
    page.on("response", lambda response: media.append(response) if "/media/" in response.url else None)
    page.click(f"a[href='/recordings/{recording.pk}/']")
    page.wait_for_url(f"**/recordings/{recording.pk}/")
    page.wait_for_function("() => document.querySelector('audio[data-player]').readyState >= 1")
    assert abs(page.evaluate("document.querySelector('audio').duration") - 20) < 0.1
    assert page.evaluate("document.querySelector('audio').seekable.end(0)") > 19

    page.click("h2")  # a real user gesture, so the page may start sound
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.5")
    assert page.evaluate("document.querySelector('audio').paused") is False

    page.evaluate(
        """() => new Promise(resolve => {
            const audio = document.querySelector('audio');
            audio.addEventListener('seeked', resolve, {once: true});
            audio.currentTime = 15;
        })"""
    )
    page.wait_for_function("() => document.querySelector('audio').currentTime > 15.3")
    ranged = [response for response in media if response.request.headers.get("range")]
    assert ranged and all(response.status == 206 for response in ranged)
    assert ranged[0].headers["content-range"].endswith(f"/{len(sound)}")
    screenshot("recording")

    page.goto("/endpoints/")
    page.fill("input[name=q]", "webclient guest")
    page.click("button:has-text('Search')")
    page.wait_for_url("**q=webclient+guest**")
    rows = page.locator("table.report tbody tr[data-pk]")
    assert rows.count() == 1 and "web-1" in rows.first.inner_text()
    rows.first.click(position={"x": 400, "y": 5})
    page.wait_for_selector("#detail-panel:not([hidden]) [data-section=connection]")
    assert (
        "S-review" in page.locator("#detail-panel").inner_text()
        or "Design review" in page.locator("#detail-panel").inner_text()
    )
    screenshot("endpoints")


def test_an_admin_deletes_a_recording_from_the_list(page, screenshot, admin_user):
    board = Conference.objects.create(conference_id="C-board", title="Board meetings")
    kept = RecordingFactory(session=SessionFactory(session_id="S-keep", conference=board), original_name="keep.wav")
    doomed = RecordingFactory(session=SessionFactory(session_id="S-old", title="Old sync"), original_name="old.wav")
    path = Path(doomed.file.path)

    log_in(page, "boss")
    page.goto("/recordings/")
    page.click("a[href='/conferences/?conference=C-board']")
    page.wait_for_url("**/conferences/?conference=C-board")
    sessions = page.locator("table.report tbody tr[data-pk]")
    assert sessions.count() == 1 and sessions.first.get_attribute("data-pk") == "S-keep"

    page.goto("/recordings/")
    page.click(f"a[href='/recordings/{doomed.pk}/delete/']")
    page.wait_for_url(f"**/recordings/{doomed.pk}/delete/")
    assert page.locator("[data-recording-name]").inner_text() == "old.wav"
    assert page.locator("[data-recording-session]").inner_text() == "Old sync (S-old)"
    screenshot("confirm")
    page.click("button[data-delete-recording]")
    page.wait_for_url("**/recordings/")
    assert page.locator("table.report tbody tr[data-pk]").count() == 1
    assert page.locator(f"tr[data-pk='{kept.pk}']").count() == 1
    assert list(Recording.objects.values_list("pk", flat=True)) == [kept.pk] and not path.exists()
