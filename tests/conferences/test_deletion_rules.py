"""Seed 001's filtered delete rules: running and recorded sessions stay, chat goes with its session
(and that cascade is recorded), stored files leave storage after commit."""

from pathlib import Path

import pytest
from django.http import QueryDict

from audit.models import AuditRecord, ServerEvent
from conferences.models import ChatMessage, ConferenceSession, Participation, Recording, SharedFile
from conferences.reports import call_history, recordings
from tests.conferences.factories import (
    ChatMessageFactory,
    ParticipationFactory,
    RecordingFactory,
    SessionFactory,
    SharedFileFactory,
)
from voipadmin.models import DeletionJob
from voipadmin.reports.deletion import deletion_job_run, deletion_preview, deletion_selection

pytestmark = pytest.mark.django_db


def run(report, query: str, user) -> DeletionJob:
    selection = deletion_selection(report, QueryDict(query))
    job = DeletionJob.objects.create(
        report=report.slug, query=selection.filter_query(), description=selection.describe(), requested_by=user
    )
    return deletion_job_run(job_id=job.pk)


@pytest.fixture
def sessions():
    ended = SessionFactory(session_id="ended", owner="anna")
    running = SessionFactory(session_id="running", owner="anna", ended_at=None)
    recorded = SessionFactory(session_id="recorded", owner="anna")
    other = SessionFactory(session_id="other", owner="zoe")
    for session in (ended, running, recorded, other):
        ChatMessageFactory.create_batch(3, session=session)
        ParticipationFactory(session=session)
    return {"ended": ended, "running": running, "recorded": recorded, "other": other}


def test_running_and_recorded_sessions_stay(sessions, admin_user, django_capture_on_commit_callbacks):
    recording = RecordingFactory(session=sessions["recorded"])
    shared = SharedFileFactory(session=sessions["ended"])
    shared_path = Path(shared.file.path)
    assert shared_path.exists()

    preview = deletion_preview(call_history, deletion_selection(call_history, QueryDict("owner=anna")))
    assert (preview["selected"], preview["deletable"], preview["protected"]) == (3, 1, 2)

    with django_capture_on_commit_callbacks(execute=True):
        job = run(call_history, "owner=anna", admin_user)
    assert job.state == "done" and job.deleted == 1 and job.protected == 2
    assert set(ConferenceSession.objects.values_list("pk", flat=True)) == {"running", "recorded", "other"}
    # the deleted session's chat, connections and files went with it, in the database
    assert not ChatMessage.objects.filter(session_id="ended").exists()
    assert ChatMessage.objects.count() == 9 and Participation.objects.count() == 3
    assert not SharedFile.objects.exists() and not shared_path.exists()
    assert Recording.objects.get() == recording and Path(recording.file.path).exists()

    assert job.cascaded == {"delete_chat_messages_cascade": 3}
    cascade = ServerEvent.objects.get(event_type="delete_chat_messages_cascade")
    assert cascade.deleted_count == 3
    assert ServerEvent.objects.get(event_type="delete_conferences").deleted_count == 1
    assert AuditRecord.objects.get(action="D").details["cascaded"] == {"delete_chat_messages_cascade": 3}


def test_a_session_without_chat_records_no_cascade(admin_user):
    SessionFactory(session_id="quiet", owner="anna")
    job = run(call_history, "owner=anna", admin_user)
    assert job.deleted == 1 and job.cascaded == {}
    assert not ServerEvent.objects.filter(event_type="delete_chat_messages_cascade").exists()


def test_the_database_itself_refuses_to_drop_a_recorded_session():
    from django.db import IntegrityError, connection, transaction

    recording = RecordingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConferenceSession.objects.filter(pk=recording.session_id).delete()
        connection.check_constraints()  # what the commit does with the deferred foreign keys
    assert ConferenceSession.objects.filter(pk=recording.session_id).exists()


def test_deleting_recordings_removes_their_files_after_commit(admin_user, django_capture_on_commit_callbacks):
    kept = RecordingFactory(original_name="keep.wav")
    gone = [RecordingFactory(original_name=f"old-{n}.wav") for n in range(3)]
    paths = [Path(row.file.path) for row in gone]
    assert all(path.exists() for path in paths)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = run(recordings, "original_name=old-", admin_user)
    assert job.deleted == 3
    assert all(path.exists() for path in paths)  # nothing leaves storage before the commit
    for callback in callbacks:
        callback()
    assert not any(path.exists() for path in paths)
    assert Path(kept.file.path).exists()
    assert ServerEvent.objects.get(event_type="delete_video_recording").deleted_count == 3
    # the session lost its recordings, so the call history may now delete it
    assert call_history.deletable(ConferenceSession.objects.filter(pk=gone[0].session_id)).exists()


def test_a_rolled_back_delete_keeps_the_file():
    from django.db import transaction

    recording = RecordingFactory()
    path = Path(recording.file.path)
    with pytest.raises(RuntimeError), transaction.atomic():
        recordings.on_delete_batch([recording.pk])
        Recording.objects.filter(pk=recording.pk).delete()
        raise RuntimeError("the batch fails")
    assert path.exists() and Recording.objects.filter(pk=recording.pk).exists()


def test_filtered_delete_over_http_needs_a_filter_and_the_right(admin_client, operator, sessions):
    from django.test import Client

    from tests.conftest import login_quietly

    assert admin_client.post("/conferences/delete/").status_code == 400
    assert login_quietly(Client(), operator).post("/conferences/delete/?owner=anna").status_code == 403
    confirm = admin_client.get("/conferences/delete/?owner=anna")
    assert b"data-protected-count" in confirm.content
