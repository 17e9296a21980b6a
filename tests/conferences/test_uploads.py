"""Multipart uploads of recordings and shared files: validated, stored under server-chosen names."""

import hashlib
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from conferences.models import Recording, SharedFile
from tests.conferences.factories import SessionFactory, wav_bytes

pytestmark = pytest.mark.django_db


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_recording_is_stored_under_a_name_the_server_chose(ingest_api):
    SessionFactory(session_id="S1")
    sound = wav_bytes(seconds=2)
    response = ingest_api.post(
        "/api/v1/recordings/",
        {"session_id": "S1", "file": upload("..\\evil\\pass\x07wd.wav", sound, "text/html"), "source_id": "rec-1"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    row = Recording.objects.get()
    assert row.original_name == "passwd.wav"  # a label only: no folders, no control characters
    assert row.content_type == "audio/wav"  # read from the bytes, not from the client
    assert row.size == len(sound) and row.duration == 2.0
    [path] = stored_files()
    assert path.read_bytes() == sound
    assert path.relative_to(settings.MEDIA_ROOT).parts[0] == "recordings"
    assert "passwd" not in path.name and path.suffix == ".wav"


def test_a_repeated_upload_with_the_same_source_id_is_a_no_op(ingest_api):
    SessionFactory(session_id="S1")
    data = {"session_id": "S1", "file": upload("a.wav", wav_bytes()), "source_id": "rec-1"}
    assert ingest_api.post("/api/v1/recordings/", data, format="multipart").status_code == 201
    data["file"] = upload("a.wav", wav_bytes())
    again = ingest_api.post("/api/v1/recordings/", data, format="multipart")
    assert again.status_code == 200 and again.json()["created"] is False
    assert Recording.objects.count() == 1 and len(stored_files()) == 1


def test_a_retried_upload_without_source_id_is_found_by_its_content(ingest_api, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # the upload arrives as a temporary file, hashed in chunks
    SessionFactory(session_id="S1")
    sound = wav_bytes(seconds=2)
    first = ingest_api.post(
        "/api/v1/recordings/", {"session_id": "S1", "file": upload("a.wav", sound)}, format="multipart"
    )
    assert first.status_code == 201, first.json()
    again = ingest_api.post(
        "/api/v1/recordings/", {"session_id": "S1", "file": upload("retry.wav", sound)}, format="multipart"
    )
    assert again.status_code == 200 and again.json()["created"] is False and again.json()["id"] == first.json()["id"]
    row = Recording.objects.get()
    assert row.original_name == "a.wav"
    assert row.source_id == "sha256:" + hashlib.sha256(b"S1\0" + sound).hexdigest()
    [path] = stored_files()
    assert path.read_bytes() == sound


def test_uploads_without_source_id_differing_in_bytes_or_session_are_all_kept(ingest_api):
    SessionFactory(session_id="S1")
    SessionFactory(session_id="S2")
    one, other = wav_bytes(seconds=1), wav_bytes(seconds=1, tone=880.0)
    for session_id, sound in (("S1", one), ("S1", other), ("S2", one)):
        response = ingest_api.post(
            "/api/v1/recordings/", {"session_id": session_id, "file": upload("a.wav", sound)}, format="multipart"
        )
        assert response.status_code == 201, response.json()
    assert Recording.objects.count() == 3
    assert Recording.objects.values("source_id").distinct().count() == 3
    assert sorted(Recording.objects.values_list("session_id", flat=True)) == ["S1", "S1", "S2"]
    assert sorted(path.read_bytes() for path in stored_files()) == sorted([one, other, one])


def test_a_shared_file_sent_twice_without_source_id_is_kept_once(ingest_api):
    SessionFactory(session_id="S1")
    data = {"session_id": "S1", "file": upload("notes.txt", b"minutes", "text/plain")}
    assert ingest_api.post("/api/v1/files/", data, format="multipart").status_code == 201
    data["file"] = upload("notes.txt", b"minutes", "text/plain")
    assert ingest_api.post("/api/v1/files/", data, format="multipart").status_code == 200
    data["file"] = upload("notes.txt", b"minutes, corrected", "text/plain")
    assert ingest_api.post("/api/v1/files/", data, format="multipart").status_code == 201
    assert SharedFile.objects.count() == 2
    assert sorted(path.read_bytes() for path in stored_files()) == [b"minutes", b"minutes, corrected"]


def damaged(kind: str) -> bytes:
    """A WAV whose RIFF/WAVE start is right (so it is taken for a WAV) and whose header is not."""
    good = wav_bytes(seconds=1)
    return {
        # a chunk claiming more bytes than the RIFF holds: wave raises RuntimeError
        "oversized chunk": good[:12] + b"LIST" + struct.pack("<I", 10**6) + b"x" * 10 + good[12:],
        "cut in the fmt chunk": good[:30],
        "no data chunk": good[:36],
        "zero channels": good[:22] + struct.pack("<H", 0) + good[24:],
        "unknown format": good[:20] + struct.pack("<H", 0x55) + good[22:],
    }[kind]


@pytest.mark.parametrize(
    "kind", ["oversized chunk", "cut in the fmt chunk", "no data chunk", "zero channels", "unknown format"]
)
def test_a_damaged_wav_is_kept_without_a_duration(ingest_api, kind):
    SessionFactory(session_id="S1")
    sound = damaged(kind)
    response = ingest_api.post(
        "/api/v1/recordings/", {"session_id": "S1", "file": upload("broken.wav", sound)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    row = Recording.objects.get()
    assert (row.content_type, row.size, row.duration) == ("audio/wav", len(sound), None)
    [path] = stored_files()
    assert path.read_bytes() == sound


@pytest.mark.parametrize(
    ("data", "field", "status"),
    [
        ({"session_id": "nope", "file": ("a.wav", "wav")}, "session_id", 400),
        ({"session_id": "S1", "file": ("notes.wav", b"<html><script>alert(1)</script>")}, "file", 400),
        ({"session_id": "S1", "file": ("empty.wav", b"")}, "file", 400),
        ({"session_id": "S1"}, "file", 400),
        ({"session_id": "a/b", "file": ("a.wav", "wav")}, "session_id", 400),
    ],
)
def test_bad_recording_uploads_are_refused_and_nothing_is_stored(ingest_api, data, field, status):
    SessionFactory(session_id="S1")
    if "file" in data:
        name, content = data["file"]
        data["file"] = upload(name, wav_bytes() if content == "wav" else content)
    response = ingest_api.post("/api/v1/recordings/", data, format="multipart")
    assert response.status_code == status
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not Recording.objects.exists() and stored_files() == []


def test_the_size_limit_is_a_413(ingest_api, settings):
    SessionFactory(session_id="S1")
    settings.RECORDING_MAX_UPLOAD_BYTES = 1000
    response = ingest_api.post(
        "/api/v1/recordings/", {"session_id": "S1", "file": upload("big.wav", wav_bytes(seconds=1))}, format="multipart"
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"
    assert not Recording.objects.exists() and stored_files() == []


def test_uploads_need_the_ingest_right(operator_client):
    SessionFactory(session_id="S1")
    response = operator_client.post("/api/v1/recordings/", {"session_id": "S1", "file": upload("a.wav", wav_bytes())})
    assert response.status_code == 403
    assert (
        operator_client.post("/api/v1/files/", {"session_id": "S1", "file": upload("a.txt", b"x")}).status_code == 403
    )
    assert stored_files() == []


def test_a_shared_file_keeps_its_declared_type_and_name(ingest_api):
    SessionFactory(session_id="S1")
    response = ingest_api.post(
        "/api/v1/files/",
        {"session_id": "S1", "file": upload("Agenda Q4 — draft.pdf", b"%PDF-1.7 ...", "application/pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    row = SharedFile.objects.get()
    assert (row.original_name, row.content_type, row.size) == ("Agenda Q4 — draft.pdf", "application/pdf", 12)
    [path] = stored_files()
    assert path.relative_to(settings.MEDIA_ROOT).parts[0] == "files" and "Agenda" not in path.name


def test_shared_file_validation(ingest_api, settings):
    SessionFactory(session_id="S1")
    bad_type = ingest_api.post(
        "/api/v1/files/", {"session_id": "S1", "file": upload("x.bin", b"abc", "not a type")}, format="multipart"
    )
    assert bad_type.status_code == 400 and bad_type.json()["errors"][0]["field"] == "file"
    settings.SHARED_FILE_MAX_UPLOAD_BYTES = 2
    too_big = ingest_api.post(
        "/api/v1/files/", {"session_id": "S1", "file": upload("x.txt", b"abc")}, format="multipart"
    )
    assert too_big.status_code == 413
    unknown = ingest_api.post("/api/v1/files/", {"session_id": "S2", "file": upload("x.txt", b"a")}, format="multipart")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "session_id"
    assert not SharedFile.objects.exists() and stored_files() == []
