"""Cursors of the followers: read under a row lock, written in the caller's transaction."""

from django.db import transaction

from .models import SourceCursor


def cursor_lock(*, source: str) -> SourceCursor:
    """The source's cursor, created empty if new, locked until the caller's transaction ends so
    two followers of one source take turns instead of storing the same rows twice."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("cursor_lock must run inside the transaction that stores the rows")
    cursor, _created = SourceCursor.objects.select_for_update().get_or_create(source=source)
    return cursor


def cursor_advance(*, cursor: SourceCursor, position: dict) -> None:
    """Move the cursor; committed or rolled back with the rows the caller stored."""
    cursor.position = position
    cursor.save(update_fields=["position", "updated_at"])
