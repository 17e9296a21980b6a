"""`import_asterisk_cdr --follow`: a growing Master.csv read as Asterisk appends to it.

The follower keeps an ImportCursor (path, device+inode, byte offset and line of the last committed
record, SHA-1 of the first line) updated in the same transaction as the rows, so a restart resumes
exactly after the last stored record: nothing lost, nothing read twice. A line still being written
(no line end yet) is left until it is complete. When the path names another file (logrotate moved
it away) the rest of the old file is read first if it is still in the same directory; a file that
shrank or starts differently (copytruncate) is read again from its start.
"""

import datetime
import hashlib
import os
import time
from collections.abc import Callable
from typing import BinaryIO

from django.db import transaction

from ..models import ImportCursor
from .import_asterisk import (
    BATCH_RECORDS,
    FileLayout,
    ImportOutcome,
    Problem,
    ProblemHook,
    as_layout,
    batches,
    store_batch,
)
from .master_file import RecordReader


class CursorMoved(Exception):
    """Another follower committed to the same cursor: two processes must not read one file."""


def _first_line_hash(handle: BinaryIO) -> str:
    handle.seek(0)
    head = handle.readline(64 * 1024)
    if not head.endswith(b"\n"):
        return ""
    return hashlib.sha1(head, usedforsecurity=False).hexdigest()


def _find_by_inode(directory: str, device: int, inode: int) -> str | None:
    """The file a rotation moved the followed one to (same directory, same inode), if still there."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return None
    for entry in entries:
        try:
            same = entry.is_file(follow_symlinks=False) and entry.inode() == inode
            if same and entry.stat(follow_symlinks=False).st_dev == device:
                return entry.path
        except OSError:
            continue
    return None


class CdrFollower:
    """Follows one Master.csv; `poll()` imports whatever complete records have appeared since.

    When the path names a new file (logrotate renamed the old one and created another) the old
    file is finished first: cdr_csv opens, appends and closes Master.csv for every record, so a
    record Asterisk began before the rename still lands in the old file, after the rename. The old
    file is read until it has not grown for `settle_seconds`; only then is a last line without
    its end reported (naming the old file) and the new file read from its start.
    """

    def __init__(
        self,
        *,
        path: str,
        zone: "datetime.tzinfo | FileLayout",
        batch_size: int = BATCH_RECORDS,
        settle_seconds: float = 5.0,
        on_problem: ProblemHook | None = None,
        on_note: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.path = os.path.abspath(path)
        self.layout = as_layout(zone)
        self.zone = self.layout.zone
        self.batch_size = batch_size
        self.settle_seconds = settle_seconds
        self.on_problem = on_problem
        self.on_note = on_note or (lambda text: None)
        self.clock = clock
        self.cursor, _ = ImportCursor.objects.get_or_create(path=self.path)
        # (offset, since): a record with open quotes waiting at the end of the file
        self._waiting: tuple[int, float] | None = None
        # (inode, size, since): the rotated file being finished, and since when it has that size
        self._rotated: tuple[int, int, float] | None = None

    def poll(self) -> ImportOutcome:
        outcome = ImportOutcome()
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed below, fstat needs the descriptor
        except FileNotFoundError:
            # Rotated away and no new file yet (Asterisk makes it at the next call): read the old.
            self.cursor.refresh_from_db()
            if self.cursor.inode is not None:
                outcome.add(self._finish_rotated(path_exists=False)[0])
            return outcome
        with handle:
            status = os.fstat(handle.fileno())
            self.cursor.refresh_from_db()  # another follower may have moved on since
            cursor = self.cursor
            if cursor.inode is None:
                self._restart(status, None)
            elif (status.st_dev, status.st_ino) != (cursor.device, cursor.inode):
                finished, done = self._finish_rotated(path_exists=True)
                outcome.add(finished)
                if not done:
                    return outcome  # the new file waits until the old one is finished
                self._restart(status, f"{self.path} is a new file (rotated); reading it from the start")
            elif status.st_size < cursor.offset or (cursor.head and _first_line_hash(handle) != cursor.head):
                self._restart(status, f"{self.path} was truncated or replaced; reading it from the start")
            outcome.add(self._read(handle, rotated=False))
        return outcome

    def _restart(self, status: os.stat_result, note: str | None) -> None:
        with transaction.atomic():
            self._commit(0, 0, device=status.st_dev, inode=status.st_ino, head="")
        self._waiting = None
        self._rotated = None
        if note:
            self.on_note(note)

    def _finish_rotated(self, *, path_exists: bool) -> tuple[ImportOutcome, bool]:
        """Read what the rotated file has; (outcome, True) once it is finished."""
        cursor = self.cursor
        old = _find_by_inode(os.path.dirname(self.path), cursor.device, cursor.inode)
        if old is None:
            if path_exists:
                self.on_note(
                    f"{self.path} was replaced and the old file is gone from its directory; "
                    f"records it got after line {cursor.line} (byte {cursor.offset}) could not be read"
                )
            return ImportOutcome(), path_exists
        now = self.clock()
        with open(old, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            known = self._rotated
            if known is None or known[0] != cursor.inode:
                if path_exists:
                    self.on_note(f"{self.path} was rotated to {old}; reading the rest of it first")
                self._rotated = (cursor.inode, size, now)
            elif known[1] != size:
                self._rotated = (cursor.inode, size, now)
            quiet = path_exists and now - self._rotated[2] >= self.settle_seconds
            return self._read(handle, rotated=quiet, path=old), quiet

    def _read(self, handle: BinaryIO, *, rotated: bool, path: str = "") -> ImportOutcome:
        cursor = self.cursor
        if not cursor.head:
            cursor.head = _first_line_hash(handle)
        waiting = self._waiting
        settled = (
            waiting is not None and waiting[0] == cursor.offset and self.clock() - waiting[1] >= self.settle_seconds
        )
        count = len(self.layout.columns) if self.layout.columns else None
        reader = RecordReader(handle, offset=cursor.offset, line=cursor.line, count=count)
        outcome = ImportOutcome()
        for batch in batches(reader.records(final=rotated or settled), self.batch_size):
            last = batch[-1]
            commit = lambda last=last: self._commit(last.end, last.line + last.lines - 1)  # noqa: E731
            outcome.add(store_batch(batch, self.layout, self.on_problem, commit, path))
        if rotated and reader.leftover.strip():
            problem = Problem(reader.line + 1, "incomplete last line of the rotated file; not imported", path)
            outcome.problems.append(problem)
            if self.on_problem:
                self.on_problem(problem)
            with transaction.atomic():
                self._commit(reader.offset + len(reader.leftover), reader.line + 1)
        if b"\n" in reader.leftover and not rotated:
            if waiting is None or waiting[0] != cursor.offset:
                self._waiting = (cursor.offset, self.clock())
        else:
            self._waiting = None
        return outcome

    def _commit(self, offset: int, line: int, **file) -> None:
        """Move the cursor (to another file too), in the caller's transaction; refuse if another
        process moved it since this one read it."""
        cursor = self.cursor
        values = {"offset": offset, "line": line, "head": cursor.head, **file}
        moved = ImportCursor.objects.filter(
            pk=cursor.pk, offset=cursor.offset, inode=cursor.inode, device=cursor.device
        ).update(**values)
        if moved != 1:
            raise CursorMoved(f"another import is following {self.path}; stopping this one")
        for name, value in values.items():
            setattr(cursor, name, value)
