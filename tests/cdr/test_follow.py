"""`import_asterisk_cdr --follow`: tail a growing Master.csv, resume after a restart, survive rotation."""

import datetime
import os

import pytest

from cdr.models import Cdr, ImportCursor
from cdr.services import import_asterisk
from cdr.services.master_follow import CdrFollower, CursorMoved
from tests.cdr import master_csv as mc

pytestmark = pytest.mark.django_db


def line(n: int) -> str:
    """A distinct answered call per n, newcdrcolumns layout (uniqueid + sequence in the file)."""
    start = datetime.datetime(2026, 3, 5, 8) + datetime.timedelta(minutes=n)
    stamp = f"{start:%Y-%m-%d %H:%M:%S}"
    return (
        f'"","1001","1002","from-internal","""Alice"" <1001>","PJSIP/1001-{n:08x}","PJSIP/1002-{n:08x}","Dial",'
        f'"PJSIP/1002,30","{stamp}","{stamp}","{stamp}",0,0,"ANSWERED","DOCUMENTATION","1772697600.{n}","",'
        f'"","1772697600.{n}",{n}'
    )


def lines(first: int, last: int) -> bytes:
    return mc.master(*(line(n) for n in range(first, last + 1)))


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def master(tmp_path):
    return tmp_path / "Master.csv"


def follower(path, **kwargs) -> CdrFollower:
    problems, notes = [], []
    made = CdrFollower(path=str(path), zone=datetime.UTC, on_problem=problems.append, on_note=notes.append, **kwargs)
    made.problems, made.notes = problems, notes
    return made


def stored() -> list[int]:
    return sorted(Cdr.objects.values_list("sequence", flat=True))


def test_follows_appends_and_waits_for_a_partial_line(master):
    master.write_bytes(lines(1, 3))
    tail = follower(master)
    assert tail.poll().created == 3
    assert tail.poll().records == 0
    with master.open("ab") as handle:
        handle.write(lines(4, 4) + line(5)[:60].encode())  # Asterisk is mid-way through record 5
    assert tail.poll().created == 1
    assert stored() == [1, 2, 3, 4]
    cursor = ImportCursor.objects.get(path=str(master))
    assert (cursor.offset, cursor.line) == (len(lines(1, 4)), 4)
    with master.open("ab") as handle:
        handle.write(line(5)[60:].encode() + b"\n")
    assert tail.poll().created == 1
    assert stored() == [1, 2, 3, 4, 5]
    assert tail.problems == []


def test_a_restart_resumes_at_the_committed_offset(master):
    master.write_bytes(lines(1, 3))
    follower(master).poll()
    Cdr.objects.filter(sequence=2).delete()  # were the file read again, this row would come back
    with master.open("ab") as handle:
        handle.write(lines(4, 5))
    again = follower(master)
    assert again.cursor.line == 3
    assert again.poll().created == 2
    assert stored() == [1, 3, 4, 5]


def test_a_crash_mid_file_loses_and_doubles_nothing(master, monkeypatch):
    master.write_bytes(lines(1, 7))
    real_store = import_asterisk.cdr_store
    calls = []

    def failing_store(*, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_store(rows=rows)

    monkeypatch.setattr(import_asterisk, "cdr_store", failing_store)
    with pytest.raises(RuntimeError):
        follower(master, batch_size=3).poll()
    assert stored() == [1, 2, 3]
    assert ImportCursor.objects.get().line == 3
    monkeypatch.setattr(import_asterisk, "cdr_store", real_store)
    assert follower(master, batch_size=3).poll().created == 4
    assert stored() == [1, 2, 3, 4, 5, 6, 7]


def test_rotation_reads_the_rest_of_the_old_file_first(master):
    clock = Clock()
    master.write_bytes(lines(1, 2))
    tail = follower(master, clock=clock, settle_seconds=5)
    tail.poll()
    with master.open("ab") as handle:  # written after the last look, then logrotate moves the file
        handle.write(lines(3, 4))
        handle.write(line(99)[:40].encode())  # and a record cut short by a crash
    master.rename(master.with_name("Master.csv.1"))
    master.write_bytes(lines(5, 6))
    outcome = tail.poll()
    assert (outcome.created, outcome.problems) == (2, [])  # the old file first; it may still grow
    clock.now = 5
    outcome = tail.poll()
    assert outcome.created == 2
    assert [(problem.line, problem.reason, problem.path) for problem in outcome.problems] == [
        (5, "incomplete last line of the rotated file; not imported", str(master.with_name("Master.csv.1")))
    ]
    assert stored() == [1, 2, 3, 4, 5, 6]
    assert any("rotated to" in note for note in tail.notes)
    cursor = ImportCursor.objects.get()
    assert (cursor.inode, cursor.line) == (os.stat(master).st_ino, 2)


def test_a_record_asterisk_finishes_in_the_rotated_file_is_kept(master):
    """cdr_csv opens Master.csv, appends one record and closes it: a record begun before
    logrotate's rename ends in the old file, and another may follow it there a moment later."""
    clock = Clock()
    master.write_bytes(lines(1, 1))
    tail = follower(master, clock=clock, settle_seconds=5)
    tail.poll()
    rotated = master.with_name("Master.csv.1")
    with master.open("ab") as handle:
        handle.write(line(2)[:50].encode())  # Asterisk is writing record 2 ...
    master.rename(rotated)  # ... when logrotate renames and creates at once
    master.write_bytes(lines(4, 4))
    assert tail.poll().problems == []
    with rotated.open("ab") as handle:
        handle.write((line(2)[50:] + "\n").encode())  # the rest of record 2
    clock.now = 3
    assert tail.poll().created == 1
    with rotated.open("ab") as handle:
        handle.write(lines(3, 3))  # a record the old descriptor still wrote
    clock.now = 6
    assert tail.poll().created == 1
    clock.now = 11
    outcome = tail.poll()
    assert (outcome.created, outcome.problems) == (1, [])
    assert stored() == [1, 2, 3, 4]


def test_rotated_away_before_the_new_file_exists(master):
    clock = Clock()
    master.write_bytes(lines(1, 1))
    tail = follower(master, clock=clock, settle_seconds=5)
    tail.poll()
    with master.open("ab") as handle:
        handle.write(lines(2, 3))
    master.rename(master.with_name("Master.csv-20260305"))
    assert tail.poll().created == 2  # the old file's last records do not wait for the next call
    assert tail.poll().records == 0
    master.write_bytes(lines(4, 4))
    clock.now = 5  # the old file has not grown for settle_seconds: finished
    assert tail.poll().created == 1
    assert stored() == [1, 2, 3, 4]


def test_rotation_while_stopped_and_old_file_gone(master):
    master.write_bytes(lines(1, 2))
    follower(master).poll()
    replacement = master.with_name("Master.csv.new")
    replacement.write_bytes(lines(10, 11))
    replacement.replace(master)  # the old file is gone for good
    again = follower(master)
    assert again.poll().created == 2
    assert stored() == [1, 2, 10, 11]
    assert any("could not be read" in note for note in again.notes)


def test_a_truncated_file_is_read_from_its_start(master):
    master.write_bytes(lines(1, 3))
    tail = follower(master)
    tail.poll()
    with master.open("r+b") as handle:  # logrotate copytruncate, then Asterisk writes on
        handle.truncate(0)
        handle.write(lines(20, 20))
    assert tail.poll().created == 1
    with master.open("r+b") as handle:  # truncated again, and grown past the old offset already
        handle.truncate(0)
        handle.write(lines(30, 34))
    assert tail.poll().created == 5
    assert stored() == [1, 2, 3, 20, 30, 31, 32, 33, 34]


def test_open_quotes_at_the_end_settle_into_a_broken_line(master):
    clock = Clock()
    half = mc.L18_MULTILINE.split("\n")[0] + "\n"  # a record whose closing quote may still come
    master.write_bytes(lines(1, 1) + half.encode())
    tail = follower(master, clock=clock, settle_seconds=5)
    assert tail.poll().created == 1
    clock.now = 3
    assert tail.poll().problems == []
    with master.open("ab") as handle:
        handle.write(lines(2, 2))
    clock.now = 9
    outcome = tail.poll()
    assert [(problem.line, problem.reason) for problem in outcome.problems] == [(2, "unbalanced quotes")]
    assert stored() == [1, 2]
    assert ImportCursor.objects.get().line == 3


def test_broken_lines_keep_their_numbers_across_restarts(master):
    master.write_bytes(lines(1, 2))
    follower(master).poll()
    with master.open("ab") as handle:
        handle.write(b'"","1001"\n' + lines(3, 3))
    again = follower(master)
    again.poll()
    assert [(problem.line, problem.reason) for problem in again.problems] == [
        (3, "2 columns; Asterisk's Master.csv has 16 to 21")
    ]


def test_two_followers_take_turns_without_doubling(master):
    master.write_bytes(lines(1, 1))
    first, second = follower(master), follower(master)
    first.poll()
    with master.open("ab") as handle:
        handle.write(lines(2, 2))
    assert second.poll().records == 1
    assert first.poll().records == 0
    assert stored() == [1, 2]


def test_a_cursor_moved_under_a_batch_rolls_it_back(master, monkeypatch):
    master.write_bytes(lines(1, 2))
    real_store = import_asterisk.cdr_store

    def store_while_another_commits(*, rows):
        ImportCursor.objects.update(offset=999)
        return real_store(rows=rows)

    monkeypatch.setattr(import_asterisk, "cdr_store", store_while_another_commits)
    with pytest.raises(CursorMoved):
        follower(master).poll()
    assert stored() == []


def test_waits_for_a_file_not_there_yet(master):
    tail = follower(master)
    assert tail.poll().records == 0
    master.write_bytes(lines(1, 1))
    assert tail.poll().created == 1


def test_the_follow_command_imports_then_stops_cleanly(master, monkeypatch):
    import io
    import types

    from django.core.management import call_command

    master.write_bytes(lines(1, 2) + b'"","1001"\n')

    def interrupted(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr("cdr.management.commands.import_asterisk_cdr.time", types.SimpleNamespace(sleep=interrupted))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_asterisk_cdr", str(master), "--follow", "--timezone", "UTC", stdout=out, stderr=err)
    assert f"following {master} from line 1" in out.getvalue()
    assert "2 records: 2 new, 0 already stored; 1 broken line(s)" in out.getvalue()
    assert f"stopped after line 3 of {master}" in out.getvalue()
    assert f"{master}:3: 2 columns" in err.getvalue()
    assert stored() == [1, 2]
