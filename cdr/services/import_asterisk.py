"""Importing Asterisk's Master.csv once (`cdr_import_file`); following it is master_follow's.

Records go in batches, one transaction each; a broken line is reported with its line number and
skipped, the rest still goes in. A line the parser passed but the database refuses costs only
itself: its batch is stored again row by row and the refused row reported like a broken line.
Re-reading lines already stored adds nothing, in another time zone too (the identity is Asterisk's
uniqueid + sequence, or one derived from the line; see asterisk_csv.columns_of and store.cdr_store).
"""

import datetime
import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import DataError, IntegrityError, transaction

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


def batches(records: Iterator[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    batch: list[RawRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def as_layout(layout: "FileLayout | datetime.tzinfo") -> "FileLayout":
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


def store_batch(
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
    layout = as_layout(zone)
    outcome = ImportOutcome()
    count = len(layout.columns) if layout.columns else None
    with _open(path) as handle:
        reader = RecordReader(handle, offset=0, line=0, count=count)
        seen: set = set()  # one file's identities: a few MB for a million lines
        for batch in batches(reader.records(final=True), batch_size):
            outcome.add(store_batch(batch, layout, on_problem, None, seen=seen))
        if reader.leftover.strip():
            problem = Problem(reader.line + 1, INCOMPLETE_LINE)
            outcome.problems.append(problem)
            if on_problem:
                on_problem(problem)
    return outcome
