"""Recordings and shared files: stored through Django's storage API under server-chosen names.

The uploader's file name is kept for display and downloads only. A recording's type is read from
its first bytes (never taken from the client); a shared file's declared type must be a well-formed
MIME type and is only ever served as an attachment. Files leave storage after the transaction that
deleted their rows commits, so a rolled-back delete never loses a file. An upload without a
source_id gets one from its content, so a retried upload is found, not stored twice.
"""

import datetime
import hashlib
import re
import struct
import unicodedata
import wave
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from voipadmin.console_settings import console_setting

from ..models import ConferenceSession, Recording, SharedFile, StoredMedia

MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")


class UploadRejected(Exception):
    """An upload that cannot be stored; `field` names the form field at fault."""

    def __init__(self, field: str, message: str, status: int = 400):
        self.field, self.message, self.status = field, message, status
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class MediaKind:
    content_type: str
    suffix: str


def sniff_media(head: bytes) -> MediaKind | None:
    """The audio/video container a file really is, from its first bytes."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return MediaKind("audio/wav", ".wav")
    if head[:4] == b"OggS":
        return MediaKind("video/ogg", ".ogv") if b"theora" in head[:512] else MediaKind("audio/ogg", ".ogg")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return MediaKind("video/webm", ".webm") if b"webm" in head[:64] else MediaKind("video/x-matroska", ".mkv")
    if head[4:8] == b"ftyp":
        return MediaKind("audio/mp4", ".m4a") if head[8:11] == b"M4A" else MediaKind("video/mp4", ".mp4")
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MediaKind("audio/mpeg", ".mp3")
    if head[:4] == b"fLaC":
        return MediaKind("audio/flac", ".flac")
    return None


def display_name(raw: str | None, fallback: str) -> str:
    """The uploader's name reduced to a harmless label: no folders, no control characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip().strip(".")
    if len(name) > 255:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 250 - len(suffix)] + dot + suffix) if dot and len(suffix) < 16 else name[:255]
    return name or fallback


# What `wave` raises on a damaged header: its own Error, EOFError on a short chunk, RuntimeError
# when a chunk claims more bytes than the RIFF holds, and the rest from the arithmetic around them.
DAMAGED_WAV = (wave.Error, EOFError, RuntimeError, struct.error, ValueError, OverflowError)


def _wav_seconds(upload: UploadedFile) -> float | None:
    """A WAV's length from its header; None when the header is damaged (the bytes are kept anyway:
    a recording the server made is worth more than its duration, and players cope with a bad header)."""
    upload.seek(0)
    try:
        with wave.open(upload, "rb") as reader:
            return round(reader.getnframes() / reader.getframerate(), 3) if reader.getframerate() else None
    except DAMAGED_WAV:
        return None
    finally:
        upload.seek(0)


def _session(session_id: str) -> ConferenceSession:
    try:
        return ConferenceSession.objects.get(pk=session_id)
    except ConferenceSession.DoesNotExist:
        raise UploadRejected("session_id", f"no conference session {session_id!r}.") from None


def _check_size(upload: UploadedFile, limit: int) -> None:
    if upload.size > limit:
        raise UploadRejected("file", f"the file has {upload.size} bytes; at most {limit} are accepted.", status=413)
    if upload.size == 0:
        raise UploadRejected("file", "the file is empty.")


# Read size when hashing an upload: a 4 GiB recording goes through in pieces, never whole in memory.
DIGEST_CHUNK = 1024 * 1024


def content_source_id(session_id: str, upload: UploadedFile) -> str:
    """The source_id of an upload that came without one: SHA-256 over the session id and the bytes,
    so the uploader's retry of the same file for the same session finds the first upload.

    Hashed before anything is stored, chunk by chunk from the upload (a temporary file on disk for
    a large one): a retry then writes nothing, and a new file still reaches storage by a rename of
    that temporary file rather than a copy through the hash.
    """
    digest = hashlib.sha256(session_id.encode() + b"\0")
    for chunk in upload.chunks(DIGEST_CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return f"sha256:{digest.hexdigest()}"


def _store(model: type[StoredMedia], row: StoredMedia, upload: UploadedFile) -> tuple[StoredMedia, bool]:
    """Save the bytes under a server-chosen name, then the row; an existing source_id wins (one
    derived from the content when the uploader sent none, so a repeated upload never doubles)."""
    if not row.source_id:
        row.source_id = content_source_id(row.session_id, upload)
    existing = model.objects.filter(source_id=row.source_id).first()
    if existing is not None:
        if existing.session_id != row.session_id:
            raise UploadRejected("source_id", "already used for an upload to another session.")
        return existing, False
    upload.seek(0)
    row.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        default_storage.delete(row.file.name)
        existing = model.objects.filter(source_id=row.source_id).first()
        if existing is None:
            raise
        return existing, False
    return row, True


def recording_store(
    *,
    session_id: str,
    upload: UploadedFile,
    source_id: str | None = None,
    created_at=None,
    duration: float | None = None,
    started_at=None,
) -> tuple[Recording, bool]:
    """Keep an uploaded recording; (row, created). Raises UploadRejected naming the bad field."""
    session = _session(session_id)
    _check_size(upload, console_setting("RECORDING_MAX_UPLOAD_BYTES"))
    upload.seek(0)
    kind = sniff_media(upload.read(512))
    if kind is None:
        raise UploadRejected("file", "not an audio or video recording (WAV, WebM, Matroska, Ogg, MP4, MP3, FLAC).")
    if duration is None and kind.content_type == "audio/wav":
        duration = _wav_seconds(upload)
    row = Recording(
        session=session,
        original_name=display_name(upload.name, f"recording{kind.suffix}"),
        size=upload.size,
        content_type=kind.content_type,
        created_at=created_at or timezone.now(),
        source_id=source_id or None,
        duration=duration,
        started_at=started_at,
    )
    row.storage_suffix = kind.suffix
    return _store(Recording, row, upload)


def shared_file_store(
    *, session_id: str, upload: UploadedFile, source_id: str | None = None, created_at=None, **_ignored
) -> tuple[SharedFile, bool]:
    """Keep a file sent to a conference chat; (row, created). Raises UploadRejected."""
    session = _session(session_id)
    _check_size(upload, settings.SHARED_FILE_MAX_UPLOAD_BYTES)
    declared = (upload.content_type or "application/octet-stream").split(";", 1)[0].strip().lower()
    if not MIME.match(declared):
        raise UploadRejected("file", f"content type {declared[:80]!r} is not a MIME type (type/subtype).")
    row = SharedFile(
        session=session,
        original_name=display_name(upload.name, "file"),
        size=upload.size,
        content_type=declared,
        created_at=created_at or timezone.now(),
        source_id=source_id or None,
    )
    return _store(SharedFile, row, upload)


def files_remove_after_commit(names: Iterable[str]) -> None:
    """Delete stored files once the rows that named them are gone for good."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def recording_delete(*, recording_id: int) -> bool:
    """Delete one recording (the list's Delete button); records delete_video_recording."""
    from audit.services import audit_record, server_event

    with transaction.atomic():
        row = Recording.objects.select_for_update().filter(pk=recording_id).first()
        if row is None:
            return False
        row.delete()
        files_remove_after_commit([row.file.name])
        server_event(
            event_type="delete_video_recording",
            deleted_count=1,
            description=f"recording {row.original_name} of session {row.session_id}",
            details={"recording": recording_id, "session": row.session_id},
        )
        audit_record(
            action="D", table=Recording._meta.db_table, key={"id": recording_id}, fields={"name": row.original_name}
        )
    return True


def shared_file_delete(*, file_id: int) -> SharedFile | None:
    """Delete a file sent to a conference chat, row and bytes."""
    from audit.services import audit_record

    with transaction.atomic():
        row = SharedFile.objects.select_for_update().filter(pk=file_id).first()
        if row is None:
            return None
        row.delete()
        files_remove_after_commit([row.file.name])
        audit_record(
            action="D", table=SharedFile._meta.db_table, key={"id": file_id}, fields={"name": row.original_name}
        )
    return row


def recordings_delete_expired(*, now=None, batch: int = 500) -> int:
    """Retention: recordings older than RECORDING_RETENTION_DAYS go, with one delete_video_recordings
    event carrying the count. Batches skip rows another run holds, so two runs never collide."""
    from audit.services import server_event

    days = console_setting("RECORDING_RETENTION_DAYS")
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    removed = 0
    while True:
        with transaction.atomic():
            rows = list(
                Recording.objects.select_for_update(skip_locked=True)
                .filter(created_at__lt=cutoff)
                .order_by("pk")
                .values_list("pk", "file")[:batch]
            )
            if not rows:
                break
            Recording.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
            files_remove_after_commit(name for _, name in rows)
        removed += len(rows)
    if removed:
        server_event(
            event_type="delete_video_recordings",
            deleted_count=removed,
            description=f"recordings older than {days} days (retention)",
            details={"cutoff": cutoff.isoformat()},
        )
    return removed
