"""What goes with deleted rows, and the Endpoints clean-up (seed 001's filtered delete rules)."""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ..models import ChatMessage, Endpoint, Recording, SharedFile
from .media import files_remove_after_commit


def sessions_deletable(queryset: QuerySet) -> QuerySet:
    """Sessions still running and sessions with server-side recordings stay."""
    return queryset.filter(ended_at__isnull=False).exclude(Exists(Recording.objects.filter(session=OuterRef("pk"))))


def sessions_delete_batch(keys: list[str]) -> dict[str, int]:
    """Runs in the batch's transaction just before its DELETE: the database drops the sessions'
    chat messages, connections, invitations and files with them (DB_CASCADE); this counts the
    chat for the delete_chat_messages_cascade event and frees the shared files' bytes after commit."""
    chat = ChatMessage.objects.filter(session_id__in=keys).count()
    files_remove_after_commit(SharedFile.objects.filter(session_id__in=keys).values_list("file", flat=True))
    return {"delete_chat_messages_cascade": chat} if chat else {}


def recordings_delete_batch(keys: list[int]) -> dict[str, int]:
    """A recording's file leaves storage once its row is gone for good."""
    files_remove_after_commit(Recording.objects.filter(pk__in=keys).values_list("file", flat=True))
    return {}


def endpoints_older_than(*, days: int, now: datetime.datetime | None = None) -> QuerySet:
    return Endpoint.objects.filter(last_seen__lt=(now or timezone.now()) - datetime.timedelta(days=days))


def endpoints_delete_older_than(*, days: int, now: datetime.datetime | None = None, batch: int = 5000) -> int:
    """Delete endpoints not seen for `days` days; records delete_connections with the count."""
    from audit.services import audit_record, server_event

    if days < 1:
        raise ValueError("days must be at least 1")
    selection = endpoints_older_than(days=days, now=now)
    removed = 0
    while True:
        with transaction.atomic():
            keys = list(selection.order_by("pk").values_list("pk", flat=True)[:batch])
            if not keys:
                break
            removed += Endpoint.objects.filter(pk__in=keys).delete()[0]
    with transaction.atomic():
        server_event(
            event_type="delete_connections",
            deleted_count=removed,
            description=f"Endpoints: not seen for {days} days",
            details={"older_than_days": days},
        )
        audit_record(
            action="D",
            table=Endpoint._meta.db_table,
            key={"filter": f"last_seen older than {days} days"},
            details={"deleted": removed, "older_than_days": days},
        )
    return removed
