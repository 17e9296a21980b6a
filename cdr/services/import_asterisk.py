"""Importing Asterisk's Master.csv: once (`cdr_import_file`) or following it as it grows (`CdrFollower`).

Records go in batches, one transaction each; a broken line is reported with its line number and
skipped, the rest still goes in. A line the parser passed but the database refuses costs only
itself: its batch is stored again row by row and the refused row reported like a broken line.
Re-reading lines already stored adds nothing, in another time zone too (the identity is Asterisk's
uniqueid + sequence, or one derived from the line; see asterisk_csv.columns_of and store.cdr_store).

Following keeps an ImportCursor (path, device+inode, byte offset and line of the last committed
record, SHA-1 of the first line) updated in the same transaction as the rows, so a restart resumes
exactly after the last stored record: nothing lost, nothing read twice. A line still being written
(no line end yet) is left until it is complete. When the path names another file (logrotate moved
it away) the rest of the old file is read first if it is still in the same directory; a file that
shrank or starts differently (copytruncate) is read again from its start.
"""

import datetime
import gzip
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import DataError, IntegrityError, transaction

from ..models import ImportCursor
from .asterisk_csv import RecordError, is_utf8, parse_record
from .master_file import RawRecord, RecordReader
from .store import cdr_store

BATCH_RECORDS = 5000
INCOMPLETE_LINE = "incomplete last line (no line end yet); not imported"


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str
    path: str = ""  # the file the line is in, when not the one named (a rotated Master.csv.1)


@dataclass
class ImportOutcome:
    records: int = 0  # records stored or found already stored
    created: int = 0
    repeated: int = 0  # records a line earlier in the same batch already had
    not_utf8: int = 0  # records read as cp1252 (no --encoding, not UTF-8)
    problems: list[Problem] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.records - self.created - self.repeated

    def add(self, other: "ImportOutcome") -> None:
        self.records += other.records
        self.created += other.created
        self.repeated += other.repeated
        self.not_utf8 += other.not_utf8
        self.problems += other.problems


@dataclass(frozen=True)
class FileLayout:
    """How the file was written: the zone of its times, its columns (None: cdr_csv's, told per
    line by their count; else a `--columns` layout), its encoding (None: UTF-8, else cp1252)."""

    zone: datetime.tzinfo
    columns: tuple[str, ...] | None = None
    encoding: str | None = None


ProblemHook = Callable[[Problem], None]


class CursorMoved(Exception):
    """Another follower committed to the same cursor: two processes must not read one file."""


def _batches(records: Iterator[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    batch: list[RawRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _as_layout(layout: "FileLayout | datetime.tzinfo") -> "FileLayout":
    return layout if isinstance(layout, FileLayout) else FileLayout(zone=layout)


def _parse_batch(
    batch: list[RawRecord], layout: FileLayout, path: str = ""
) -> tuple[list[tuple[int, dict]], list[Problem], int]:
    """(line, row) of each record that parses, a Problem for each that does not, and how many
    were read as cp1252."""
    rows, problems, not_utf8 = [], [], 0
    for record in batch:
        if record.problem:
            problems.append(Problem(record.line, record.problem, path))
            continue
        try:
            row = parse_record(record.data, zone=layout.zone, columns=layout.columns, encoding=layout.encoding)
        except RecordError as error:
            problems.append(Problem(record.line, str(error), path))
            continue
        rows.append((record.line, row))
        if layout.encoding is None and not is_utf8(record.data):
            not_utf8 += 1
    return rows, problems, not_utf8


def _refusal(error: Exception) -> str:
    return "refused by the database: " + (str(error).strip().splitlines() or [type(error).__name__])[0]


def _store_rows(rows: list[tuple[int, dict]]) -> tuple[int, list[Problem]]:
    """Store the rows (in the caller's transaction); returns (created, rows the database refused).

    All at once normally. Should the database refuse a value the parser let through, the batch is
    stored again one row per savepoint: the refused rows are reported, every other one stored, and
    the batch (with the cursor of a followed file) still commits, never retried for ever.
    """
    try:
        with transaction.atomic():
            return cdr_store(rows=[row for _line, row in rows]), []
    except (DataError, IntegrityError):
        pass
    created, problems = 0, []
    for line, row in rows:
        try:
            with transaction.atomic():
                created += cdr_store(rows=[row])
        except (DataError, IntegrityError) as error:
            problems.append(Problem(line, _refusal(error)))
    return created, problems


def _store_batch(
    batch: list[RawRecord],
    layout: FileLayout,
    on_problem: ProblemHook | None,
    commit: Callable[[], None] | None,
    path: str = "",
    seen: set | None = None,
) -> ImportOutcome:
    """Parse and store one batch (with the follower's cursor, `commit`, in its transaction).
    `seen` holds the identities earlier batches of the same file had: a line repeating one is
    counted as repeated in the file, not as already stored."""
    rows, problems, not_utf8 = _parse_batch(batch, layout, path)
    seen = set() if seen is None else seen
    repeated = 0
    for _line, row in rows:
        identity = (row["uniqueid"], row["sequence"])
        repeated += identity in seen
        seen.add(identity)
    with transaction.atomic():
        created, refused = _store_rows(rows)
        if commit is not None:
            commit()
    refused = [Problem(problem.line, problem.reason, path) for problem in refused]
    problems = sorted(problems + refused, key=lambda problem: problem.line)
    for problem in problems:
        if on_problem:
            on_problem(problem)
    records = len(rows) - len(refused)
    return ImportOutcome(
        records=records,
        created=created,
        repeated=min(repeated, records - created),
        not_utf8=not_utf8,
        problems=problems,
    )


def _open(path: str) -> BinaryIO:
    """The file's bytes; a rotated Master.csv.1.gz is read through gzip."""
    handle = open(path, "rb")  # noqa: SIM115 - the caller closes it
    if handle.read(2) == b"\x1f\x8b":
        handle.close()
        return gzip.open(path, "rb")  # type: ignore[return-value]
    handle.seek(0)
    return handle


def cdr_import_file(
    *,
    path: str,
    zone: "datetime.tzinfo | FileLayout",
    batch_size: int = BATCH_RECORDS,
    on_problem: ProblemHook | None = None,
) -> ImportOutcome:
    """Import a whole Master.csv (or a gzipped rotated one) once; returns what was stored, known
    already, repeated in the file, or broken. `zone` is the times' zone or the whole FileLayout.

    A last line without its line end is not imported (Asterisk may still be writing it).
    """
    layout = _as_layout(zone)
    outcome = ImportOutcome()
    count = len(layout.columns) if layout.columns else None
    with _open(path) as handle:
        reader = RecordReader(handle, offset=0, line=0, count=count)
        seen: set = set()  # one file's identities: a few MB for a million lines
        for batch in _batches(reader.records(final=True), batch_size):
            outcome.add(_store_batch(batch, layout, on_problem, None, seen=seen))
        if reader.leftover.strip():
            problem = Problem(reader.line + 1, INCOMPLETE_LINE)
            outcome.problems.append(problem)
            if on_problem:
                on_problem(problem)
    return outcome


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
        self.layout = _as_layout(zone)
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
        for batch in _batches(reader.records(final=rotated or settled), self.batch_size):
            last = batch[-1]
            commit = lambda last=last: self._commit(last.end, last.line + last.lines - 1)  # noqa: E731
            outcome.add(_store_batch(batch, self.layout, self.on_problem, commit, path))
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
