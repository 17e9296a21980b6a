"""/recordings/: the list, playback with byte ranges, download, delete, retention; shared files."""

import datetime
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditRecord, ServerEvent
from conferences.models import Conference, Recording, SharedFile
from conferences.tasks import delete_expired_recordings
from tests.conferences.factories import RecordingFactory, SessionFactory, SharedFileFactory, wav_bytes
from tests.conftest import login_quietly
from tests.voipadmin.factories import UserFactory

pytestmark = pytest.mark.django_db


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_list_names_point_to_point_calls_and_offers_play_and_download(operator_client):
    recording = RecordingFactory(session=SessionFactory(title=""), original_name="call.wav")
    page = operator_client.get("/recordings/").content.decode()
    assert "(no title)" in page
    assert f'href="/recordings/{recording.pk}/">▶ Play' in page
    assert f'href="/recordings/{recording.pk}/download/">Download' in page
    assert f'href="/conferences/{recording.session_id}/"' in page
    assert f"/recordings/{recording.pk}/delete/" not in page and '<th class="" scope="col">Delete</th>' not in page
    detail = operator_client.get(f"/recordings/{recording.pk}/").content.decode()
    assert f'<audio controls preload="metadata" src="/recordings/{recording.pk}/media/"' in detail
    assert "data-delete-recording" not in detail  # operators may not delete


def test_a_recording_title_links_to_exactly_its_session(operator_client):
    one = RecordingFactory(session=SessionFactory(session_id="S1", title="Board"))
    RecordingFactory(session=SessionFactory(session_id="S10", title="Board"))
    page = operator_client.get("/recordings/").content.decode()
    row = page.split(f'data-pk="{one.pk}"')[1].split("</tr>")[0]
    # a "contains" filter (?session_id=S1) would list S10 too
    assert '<td class="" title="open the session" data-label="Title"><a href="/conferences/S1/">Board</a></td>' in row
    assert "session_id=" not in page


def test_an_admin_has_a_delete_link_on_each_row_of_the_list(admin_client):
    recording = RecordingFactory()
    page = admin_client.get("/recordings/").content.decode()
    assert '<th class="" scope="col">Delete</th>' in page
    row = page.split(f'data-pk="{recording.pk}"')[1].split("</tr>")[0]
    assert f'<a href="/recordings/{recording.pk}/delete/">Delete…</a>' in row
    export = admin_client.get("/recordings/export.csv")
    assert b"Delete" not in b"".join(export.streaming_content).splitlines()[0]


def test_the_conference_column_opens_call_history_filtered_to_that_conference(operator_client):
    board = Conference.objects.create(conference_id="C-board", title="Board meetings")
    in_board = RecordingFactory(session=SessionFactory(session_id="S1", conference=board))
    ad_hoc = RecordingFactory(session=SessionFactory(session_id="S2"))
    SessionFactory(session_id="S3", conference=Conference.objects.create(conference_id="C-other"))
    page = operator_client.get("/recordings/").content.decode()
    row = page.split(f'data-pk="{in_board.pk}"')[1].split("</tr>")[0]
    assert (
        '<td class="" title="C-board" data-label="Conference">'
        '<a href="/conferences/?conference=C-board">Board meetings</a></td>' in row
    )
    other_row = page.split(f'data-pk="{ad_hoc.pk}"')[1].split("</tr>")[0]
    assert "?conference=" not in other_row
    listed = operator_client.get("/conferences/?conference=C-board").content.decode()
    assert 'data-pk="S1"' in listed and 'data-pk="S2"' not in listed and 'data-pk="S3"' not in listed


def test_the_delete_link_asks_first_naming_the_recording_and_its_session(admin_client, operator):
    recording = RecordingFactory(session=SessionFactory(session_id="S7", title="Budget"), original_name="budget.wav")
    path = Path(recording.file.path)
    page = admin_client.get(f"/recordings/{recording.pk}/delete/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<strong data-recording-name>budget.wav</strong>" in text
    assert '<a href="/conferences/S7/" data-recording-session>Budget (S7)</a>' in text
    form = text.split('<form method="post" class="actions">')[1].split("</form>")[0]
    assert "csrfmiddlewaretoken" in form and "data-delete-recording" in form
    assert Recording.objects.filter(pk=recording.pk).exists() and path.exists()  # asking deletes nothing
    assert login_quietly(Client(), operator).get(f"/recordings/{recording.pk}/delete/").status_code == 403
    assert admin_client.get("/recordings/999999/delete/").status_code == 404


def test_an_admin_sees_the_delete_button_of_a_recording(admin_client):
    recording = RecordingFactory()
    detail = admin_client.get(f"/recordings/{recording.pk}/").content.decode()
    form = detail.split(f'<form method="post" action="/recordings/{recording.pk}/delete/"')[1].split("</form>")[0]
    assert "csrfmiddlewaretoken" in form and '<button class="danger" type="submit" data-delete-recording>' in form


def test_playback_serves_byte_ranges_of_the_real_file(operator_client):
    recording = RecordingFactory()
    stored = Path(recording.file.path).read_bytes()
    whole = operator_client.get(f"/recordings/{recording.pk}/media/")
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes" and content(whole) == stored
    assert whole["Content-Type"] == "audio/wav" and whole["Content-Disposition"].startswith("inline")
    part = operator_client.get(f"/recordings/{recording.pk}/media/", HTTP_RANGE="bytes=44-1043")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 44-1043/{len(stored)}"
    assert content(part) == stored[44:1044]
    tail = operator_client.get(f"/recordings/{recording.pk}/media/", HTTP_RANGE="bytes=-100")
    assert content(tail) == stored[-100:]
    beyond = operator_client.get(f"/recordings/{recording.pk}/media/", HTTP_RANGE=f"bytes={len(stored)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(stored)}"


def test_a_range_of_thousands_of_digits_is_answered_not_a_500(operator_client):
    recording = RecordingFactory()
    stored = Path(recording.file.path).read_bytes()
    url = f"/recordings/{recording.pk}/media/"
    huge = operator_client.get(url, HTTP_RANGE="bytes=" + "9" * 5000 + "-")
    assert huge.status_code == 416 and huge["Content-Range"] == f"bytes */{len(stored)}"
    to_the_end = operator_client.get(url, HTTP_RANGE="bytes=10-" + "9" * 5000)
    assert to_the_end.status_code == 206 and content(to_the_end) == stored[10:]
    assert operator_client.get(url, HTTP_RANGE="bytes=\u0661-\u0669").status_code == 416


def test_download_is_an_attachment_under_the_display_name(operator_client):
    recording = RecordingFactory(original_name='Réunion "Q4".wav')
    response = operator_client.get(f"/recordings/{recording.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''R%C3%A9union%20%22Q4%22.wav"
    assert content(response) == Path(recording.file.path).read_bytes()


def test_files_are_served_only_to_viewers(client):
    recording = RecordingFactory()
    shared = SharedFileFactory()
    assert client.get(f"/recordings/{recording.pk}/media/").status_code == 302  # to the login page
    login_quietly(client, UserFactory(username="no-role"))
    assert client.get(f"/recordings/{recording.pk}/media/").status_code == 403
    assert client.get(f"/recordings/{recording.pk}/download/").status_code == 403
    assert client.get(f"/conferences/files/{shared.pk}/download/").status_code == 403
    assert client.get("/recordings/999999/media/").status_code == 403


def test_a_missing_file_is_a_404_not_a_500(operator_client):
    recording = RecordingFactory()
    Path(recording.file.path).unlink()
    assert operator_client.get(f"/recordings/{recording.pk}/media/").status_code == 404


def test_delete_button_removes_row_and_file(admin_client, operator, django_capture_on_commit_callbacks):
    recording = RecordingFactory()
    path = Path(recording.file.path)
    assert login_quietly(Client(), operator).post(f"/recordings/{recording.pk}/delete/").status_code == 403
    assert admin_client.put(f"/recordings/{recording.pk}/delete/").status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/recordings/{recording.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/recordings/"
    assert not Recording.objects.exists() and not path.exists()
    event = ServerEvent.objects.get(event_type="delete_video_recording")
    assert event.deleted_count == 1 and event.real_user_id == "boss"
    assert AuditRecord.objects.get(action="D").resource_table == "conferences_recording"
    assert admin_client.post(f"/recordings/{recording.pk}/delete/").status_code == 404


def test_retention_deletes_old_recordings_and_records_it(settings, django_capture_on_commit_callbacks):
    now = timezone.now()
    old = [RecordingFactory(created_at=now - datetime.timedelta(days=40)) for _ in range(3)]
    fresh = RecordingFactory(created_at=now - datetime.timedelta(days=5))
    settings.RECORDING_RETENTION_DAYS = 0
    assert delete_expired_recordings() == 0 and Recording.objects.count() == 4
    settings.RECORDING_RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_expired_recordings.delay().get() == 3
    assert list(Recording.objects.all()) == [fresh]
    assert not any(Path(row.file.path).exists() for row in old) and Path(fresh.file.path).exists()
    event = ServerEvent.objects.get(event_type="delete_video_recordings")
    assert event.deleted_count == 3
    assert delete_expired_recordings() == 0  # a second run finds nothing and records nothing
    assert ServerEvent.objects.filter(event_type="delete_video_recordings").count() == 1


def test_beat_runs_retention():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["delete-expired-recordings"]
    assert entry["task"] == "conferences.tasks.delete_expired_recordings"


def test_shared_file_download_and_delete(admin_client, django_capture_on_commit_callbacks):
    shared = SharedFileFactory(content_type="text/html", original_name="page.html")
    path = Path(shared.file.path)
    response = admin_client.get(f"/conferences/files/{shared.pk}/download/")
    assert response.status_code == 200 and content(response) == path.read_bytes()
    # whatever was uploaded never runs in the console: an attachment, not sniffed, sandboxed
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    form = f'<form method="post" action="/conferences/files/{shared.pk}/delete/"'
    assert form in admin_client.get(f"/conferences/{shared.session_id}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        deleted = admin_client.post(f"/conferences/files/{shared.pk}/delete/")
    assert deleted.status_code == 302 and deleted["Location"] == f"/conferences/{shared.session_id}/"
    assert not SharedFile.objects.exists() and not path.exists()


def test_wav_durations_are_read_from_the_file(ingest_api):
    SessionFactory(session_id="S1")
    from django.core.files.uploadedfile import SimpleUploadedFile

    ingest_api.post(
        "/api/v1/recordings/",
        {"session_id": "S1", "file": SimpleUploadedFile("t.wav", wav_bytes(seconds=1.5))},
        format="multipart",
    )
    assert Recording.objects.get().duration == 1.5
