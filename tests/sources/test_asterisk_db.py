"""follow_asterisk_cdr_db on real PostgreSQL and MariaDB tables made from Asterisk's own schema."""

import datetime
import io
import zoneinfo

import pytest
from django.core.management import CommandError, call_command

from cdr.models import Cdr
from sources import asterisk_db
from sources.asterisk_db import CdrDbFollower, CdrTable, connect, source_name
from sources.models import SourceCursor
from tests.sources.asterisk_tables import call

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
ROME = zoneinfo.ZoneInfo("Europe/Rome")


def follower(db, table="cdr", **kwargs) -> CdrDbFollower:
    return CdrDbFollower(
        table=CdrTable(connect(db.url), table),
        source=source_name(db.url, table),
        zone=kwargs.pop("zone", ROME),
        **kwargs,
    )


def sequences() -> list[int]:
    return sorted(Cdr.objects.values_list("sequence", flat=True))


def test_new_rows_are_stored_once_with_every_field(source):
    source.create("cdr")
    for n in (1, 2, 3):
        source.insert("cdr", **call(n))
    unanswered = call(4) | {"answer": datetime.datetime(1970, 1, 1, 1), "billsec": 0, "disposition": "NO ANSWER"}
    source.insert("cdr", **unanswered)  # cdr_pgsql writes an unset answer as the epoch, local time
    tail = follower(source, batch_size=2)
    assert (tail.poll().created, sequences()) == (4, [1, 2, 3, 4])
    first = Cdr.objects.get(sequence=1)
    assert first.start == datetime.datetime(2026, 3, 5, 8, 1, tzinfo=UTC)  # 09:01 in Rome
    assert (first.answer, first.end) == (
        first.start + datetime.timedelta(seconds=3),
        first.start + datetime.timedelta(seconds=63),
    )
    assert (first.uniqueid, first.linkedid, first.clid, first.channel) == (
        "1772701200.1", "1772701200.1", '"Alice" <1001>', "PJSIP/1001-00000001",
    )  # fmt: skip
    assert (first.duration, first.billsec, first.disposition, first.amaflags) == (63, 60, "ANSWERED", "DOCUMENTATION")
    assert Cdr.objects.get(sequence=4).answer is None
    assert tail.poll().created == 0
    source.insert("cdr", **call(5))
    assert tail.poll().created == 1
    assert SourceCursor.objects.get().position["key"].startswith("2026-03-05T09:06:03")


def test_a_restart_in_the_middle_of_a_batch_neither_skips_nor_doubles(source, monkeypatch):
    source.create("cdr")
    for n in range(1, 8):
        source.insert("cdr", **call(n))
    real_ingest = asterisk_db.cdrs_ingest
    calls = []

    def crash_on_the_second_batch(*, items):
        calls.append(len(items))
        created = real_ingest(items=items)  # the rows are in, the cursor not yet moved: then the crash
        if len(calls) == 2:
            raise KeyboardInterrupt
        return created

    monkeypatch.setattr(asterisk_db, "cdrs_ingest", crash_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        follower(source, batch_size=3).poll()
    assert sequences() == [1, 2, 3]  # the second batch went with its transaction
    assert SourceCursor.objects.get().position["key"].startswith("2026-03-05T09:04:03")
    monkeypatch.setattr(asterisk_db, "cdrs_ingest", real_ingest)
    again = follower(source, batch_size=3)
    assert again.poll().created == 4
    assert sequences() == [1, 2, 3, 4, 5, 6, 7]


def test_rows_committed_out_of_id_order_are_not_skipped(source):
    """An operator's id column: id 3's transaction commits after 4's was read."""
    source.create("cdr", with_id=True)
    for n in (1, 2, 4):
        source.insert("cdr", id=n, **call(n))
    tail = follower(source)
    assert tail.poll().created == 3
    source.insert("cdr", id=3, **call(3))
    source.insert("cdr", id=5, **call(5))
    assert tail.poll().created == 2
    assert sequences() == [1, 2, 3, 4, 5]
    assert SourceCursor.objects.get().position["key"] == 5


def test_a_row_posted_late_behind_the_newest_end_is_not_skipped(source):
    """cdr.conf batch mode posts CDRs minutes after they end, not in end order."""
    source.create("cdr")
    source.insert("cdr", **call(10))
    tail = follower(source)
    assert tail.poll().created == 1
    source.insert("cdr", **call(2))  # ended eight minutes before the newest stored one
    assert tail.poll().created == 1
    assert follower(source).poll().created == 0  # a new process reads the window again: no double


def test_the_calldate_table(source):
    """cdr_pgsql's older table (FreePBX's too): calldate is the start, no answer or end."""
    source.create("cdr", variant="calldate")
    calldate = datetime.datetime(2026, 3, 5, 9, 0, tzinfo=ROME if source.kind == "postgres" else None)
    row = {"calldate": calldate, "src": "1001", "dst": "1002", "duration": 63, "billsec": 60, "amaflags": 3}
    source.insert("cdr", **row, disposition="ANSWERED", uniqueid="1772701200.1")
    source.insert("cdr", **row | {"billsec": 0}, disposition="BUSY", uniqueid="1772701200.2")
    assert follower(source).poll().created == 2
    answered = Cdr.objects.get(uniqueid="1772701200.1")
    assert answered.start == datetime.datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    assert answered.end == answered.start + datetime.timedelta(seconds=63)
    assert answered.answer == answered.start + datetime.timedelta(seconds=3)
    assert (answered.amaflags, answered.sequence < 0) == ("DOCUMENTATION", True)  # no sequence column
    assert Cdr.objects.get(uniqueid="1772701200.2").answer is None


def test_the_command_once_and_its_errors(source):
    source.create("cdr")
    source.insert("cdr", **call(1))
    out = io.StringIO()
    call_command("follow_asterisk_cdr_db", "--url", source.url, "--once", "--timezone", "Europe/Rome", stdout=out)
    assert "1 rows read: 1 new; 0 not stored" in out.getvalue()
    with pytest.raises(CommandError, match="no table 'cdrs'"):
        call_command("follow_asterisk_cdr_db", "--url", source.url, "--table", "cdrs", "--once")
    with pytest.raises(CommandError, match=r"postgres://\.\.\. or mysql://"):
        call_command("follow_asterisk_cdr_db", "--url", "sqlite:///x", "--once")


def test_the_beat_task_follows_the_configured_table(source, settings):
    from sources.tasks import follow_asterisk_cdr_db

    source.create("cdr")
    source.insert("cdr", **call(1))
    settings.ASTERISK_CDR_DB_URL, settings.ASTERISK_CDR_DB_TABLE = source.url, "cdr"
    settings.ASTERISK_CDR_DB_TIMEZONE = "Europe/Rome"
    assert follow_asterisk_cdr_db() == {"read": 1, "created": 1, "problems": 0}
    assert follow_asterisk_cdr_db()["created"] == 0


def test_the_reread_window_costs_no_store_and_a_bad_row_is_reported_once(source, monkeypatch):
    source.create("cdr")
    for n in (1, 2):
        source.insert("cdr", **call(n))
    source.insert("cdr", **call(3) | {"disposition": "MAYBE"})
    problems = []
    assert follower(source, on_problem=problems.append).poll().created == 2
    handed = []
    real_ingest = asterisk_db.cdrs_ingest
    monkeypatch.setattr(
        asterisk_db, "cdrs_ingest", lambda *, items: handed.append(len(items)) or real_ingest(items=items)
    )
    again = follower(source, on_problem=problems.append)  # a restart: the window is read again
    assert again.poll().created == 0
    assert again.poll().created == 0
    assert set(handed) == {0}  # every row of the window found stored before the store was asked
    assert len(problems) == 2  # the first process once, the new one once
    assert "disposition 'MAYBE'" in problems[0].reason
