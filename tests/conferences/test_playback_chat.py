"""Seed 001: playback with chat synchronisation, for group conferences only: the recording's page
lists the session's conference chat, each message placed on the recording's time line."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conferences.models import Recording
from conferences.selectors import recording_chat
from tests.conferences.factories import T0, ChatMessageFactory, RecordingFactory, SessionFactory, wav_bytes

pytestmark = pytest.mark.django_db


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


@pytest.fixture
def meeting(db):
    session = SessionFactory(session_id="S-sync", title="Design review", started_at=T0)
    for n, (seconds, sender, text) in enumerate([(-30, "anna", "early"), (4, "bob", "hello"), (12, "anna", "slides")]):
        ChatMessageFactory(message_id=f"c{n}", session=session, sender=sender, text=text, time=at(seconds))
    ChatMessageFactory(message_id="p1", session=session, sender="anna", recipient="bob", text="personal", time=at(5))
    return session


def test_the_chat_is_placed_from_the_recording_start(meeting):
    recording = RecordingFactory(session=meeting, duration=20.0)
    lines = recording_chat(recording=recording)
    assert [(line.text, line.offset) for line in lines] == [("early", 0.0), ("hello", 4.0), ("slides", 12.0)]
    later = RecordingFactory(session=meeting, duration=10.0, started_at=at(3))
    assert [line.offset for line in recording_chat(recording=later)] == [0.0, 1.0, 9.0]
    short = RecordingFactory(session=meeting, duration=8.0, started_at=at(3))
    assert [line.offset for line in recording_chat(recording=short)] == [0.0, 1.0, 8.0]  # after the end: at the end


def test_the_player_page_shows_the_chat_beside_the_recording(operator_client, meeting):
    recording = RecordingFactory(session=meeting, duration=20.0)
    page = operator_client.get(f"/recordings/{recording.pk}/").content.decode()
    assert "data-chat-sync" in page and "personal" not in page  # the conference chat only
    assert page.count('data-offset="') == 3 and 'data-offset="4.000"' in page
    assert '<script src="/static/js/playback-sync.js" defer></script>' in page
    assert "<script>" not in page  # no inline script


def test_a_point_to_point_call_has_no_chat_synchronisation(operator_client):
    call = SessionFactory(session_id="S-call", title="", conference=None)
    ChatMessageFactory(session=call, text="hi")
    recording = RecordingFactory(session=call)
    assert recording_chat(recording=recording) is None
    page = operator_client.get(f"/recordings/{recording.pk}/").content.decode()
    assert "data-no-chat-sync" in page and "data-chat-sync" not in page and "playback-sync.js" not in page


def test_an_upload_may_say_when_the_recording_starts(ingest_client):
    SessionFactory(session_id="S-up", title="Design review")
    upload = SimpleUploadedFile("r.wav", wav_bytes(seconds=1), content_type="audio/wav")
    body = {"session_id": "S-up", "file": upload, "started_at": "2026-11-02T09:05:00+00:00"}
    response = ingest_client.post("/api/v1/recordings/", body, format="multipart")
    assert response.status_code == 201, response.json()
    assert Recording.objects.get().started_at == at(300)
