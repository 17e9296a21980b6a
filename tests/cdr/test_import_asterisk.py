"""`manage.py import_asterisk_cdr PATH`: a real-shaped Master.csv in, every field stored, once."""

import datetime
import gzip
import io

import pytest
from django.core.management import CommandError, call_command

from cdr.models import Cdr, ImportCursor
from cdr.services import import_asterisk
from cdr.services.master_follow import CdrFollower
from tests.cdr import master_csv as mc
from tests.cdr.factories import AccountFactory, stored_fields

pytestmark = pytest.mark.django_db
UTC = datetime.UTC

EVERY_LAYOUT = [
    mc.L16,
    mc.BASE_NO_ANSWER,
    mc.L17_UNIQUEID,
    mc.L17_USERFIELD,
    mc.L18,
    mc.L19,
    mc.L20_UNIQUEID,
    mc.L20_USERFIELD,
    mc.L21,
    mc.L18_MULTILINE,
    *(mc.base(disposition=word, start=f"2026-03-05 12:0{n}:00") for n, word in enumerate(["BUSY", "FAILED"])),
    mc.base(disposition="CONGESTION", amaflags="BILLING", start="2026-03-05 12:05:00"),
    mc.base(disposition="CANCEL", amaflags="Unknown", start="2026-03-05 12:06:00"),
]


def run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_asterisk_cdr", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        err.write(f"CommandError: {error}")
    return out.getvalue(), err.getvalue()


def reported(err: str, path) -> dict[int, str]:
    """The `PATH:LINE: reason` lines of the command's stderr, by line number."""
    prefix = f"{path}:"
    return {
        int(text.removeprefix(prefix).split(":", 1)[0]): text.removeprefix(prefix).split(": ", 1)[1]
        for text in err.splitlines()
        if text.startswith(prefix)
    }


@pytest.fixture
def master_file(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(mc.master(*EVERY_LAYOUT))
    return path


def test_every_layout_is_imported_with_every_field(master_file):
    alice = AccountFactory(username="alice", extension="1001")
    bob = AccountFactory(username="bob", extension="1002")
    out, err = run(master_file, "--timezone", "UTC")
    assert err == ""
    assert "14 records: 14 new, 0 already stored; 0 broken line(s)" in out
    assert Cdr.objects.count() == 14

    trunk = Cdr.objects.get(uniqueid="1772708400.20")
    assert stored_fields(trunk) == {
        "uniqueid": "1772708400.20",
        "sequence": 7,
        "linkedid": "1772708400.20",
        "accountcode": "sales",
        "peeraccount": "peer-acc",
        "src": "+390612345678",
        "dst": "1002",
        "dcontext": "from-trunk",
        "clid": '"Rossi, Mario" <+390612345678>',
        "channel": "PJSIP/trunk-0000000e",
        "dstchannel": "PJSIP/1002-0000000f",
        "lastapp": "Queue",
        "lastdata": "support,t,,,300",
        "start": datetime.datetime(2026, 3, 5, 11, 0, 0, tzinfo=UTC),
        "answer": datetime.datetime(2026, 3, 5, 11, 0, 10, tzinfo=UTC),
        "end": datetime.datetime(2026, 3, 5, 11, 5, 10, tzinfo=UTC),
        "duration": 310,
        "billsec": 300,
        "disposition": "ANSWERED",
        "disposition_source": "ANSWERED",
        "amaflags": "BILLING",
        "userfield": "vip",
        "caller": None,  # an outside number
        "callee": bob,
    }
    internal = Cdr.objects.get(uniqueid="1772705701.10", linkedid="1772705701.9")  # L20_UNIQUEID
    assert (internal.caller, internal.callee, internal.sequence) == (alice, bob, 43)
    unanswered = Cdr.objects.get(dst="1003", userfield="")
    assert unanswered.answer is None and unanswered.disposition == "NO_ANSWER"
    assert unanswered.disposition_source == "NO ANSWER" and unanswered.callee is None
    multiline = Cdr.objects.get(uniqueid="1772705999.11")
    assert multiline.userfield == "first line\nsecond line"
    by_source = dict(Cdr.objects.filter(src="1002").values_list("disposition_source", "disposition"))
    assert by_source == {"BUSY": "BUSY", "FAILED": "FAILED", "CONGESTION": "FAILED", "CANCEL": "NO_ANSWER"}
    assert set(Cdr.objects.filter(src="1002").values_list("amaflags", flat=True)) == {"OMIT", "BILLING", ""}


@pytest.mark.parametrize("zone", ["UTC", "Europe/Rome"])
def test_importing_again_adds_nothing(master_file, zone):
    """Again in another zone too: the same calls an hour apart are still the same calls."""
    run(master_file, "--timezone", "UTC")
    before = list(Cdr.objects.order_by("id").values())
    out, _err = run(master_file, "--timezone", zone)
    assert "14 records: 0 new, 14 already stored" in out
    assert list(Cdr.objects.order_by("id").values()) == before


def test_local_times_and_the_default_zone(tmp_path, settings):
    path = tmp_path / "Master.csv"
    path.write_bytes(mc.master(mc.L17_UNIQUEID))
    settings.TIME_ZONE = "Europe/Rome"
    run(path)
    assert Cdr.objects.get().start == datetime.datetime(2026, 3, 5, 9, 15, 1, tzinfo=UTC)


def test_broken_lines_are_reported_and_the_rest_imported(tmp_path):
    path = tmp_path / "Master.csv"
    lines = [
        mc.L17_UNIQUEID,
        '"","1001","1002"',
        mc.base(disposition="MAYBE"),
        '"","1001","1002","from-internal","""Alice <1001>',
        mc.L21,
        mc.base(start="2026-03-05 12:00:00").replace(",5,0,", ",5,9,"),
        mc.L19,
    ]
    path.write_bytes(mc.master(*lines) + mc.L18.encode())  # and a last line still being written
    out, err = run(path, "--timezone", "UTC", "--batch-size", "2")
    problems = reported(err, path)
    assert sorted(problems) == [2, 3, 4, 6, 8]
    assert problems[2] == "3 columns; Asterisk's Master.csv has 16 to 21"
    assert problems[3].startswith("disposition 'MAYBE' is not one of Asterisk's")
    assert problems[4] == "unbalanced quotes"
    assert problems[6].startswith("billsec 9 exceeds duration 5 + 1")
    assert problems[8].startswith("incomplete last line")
    assert "CommandError: 5 line(s) not imported (listed above); the rest was." in err
    assert "3 records: 3 new" in out
    assert sorted(Cdr.objects.values_list("sequence", flat=True))[1:] == [7, 42]


def test_bad_arguments_are_clear_errors(tmp_path):
    assert "no such file" in run(tmp_path / "nope.csv")[1]
    path = tmp_path / "Master.csv"
    path.write_bytes(mc.master(mc.L16))
    assert "unknown time zone 'Mars/Base'" in run(path, "--timezone", "Mars/Base")[1]
    assert Cdr.objects.count() == 0


BAD_BUT_CSV = [
    mc.L16.replace('"Dial"', '"Di\x00al"'),
    mc.L19.replace(",42", ",2147483648"),
    mc.base(start="0001-01-01 00:00:00"),
    mc.base(start="9999-12-31 12:00:00"),
    mc.base().replace('"2026-03-05 12:00:05"', '"2026-03-05 11:00:00"'),
]


def test_lines_the_database_would_refuse_are_broken_lines(tmp_path):
    """A NUL byte, an overflowing number, a time beyond the calendar or the partitions, an end
    before the start: each its own broken line, the rest of its batch stored."""
    path = tmp_path / "Master.csv"
    data = mc.master(mc.L21, *BAD_BUT_CSV, mc.L20_UNIQUEID)
    duration = mc.base(start="2026-03-05 12:10:00").encode("latin-1").replace(b",5,0,", b",1\xb2,0,") + b"\n"
    path.write_bytes(data + duration)
    out, err = run(path, "--timezone", "Europe/Rome")
    assert reported(err, path) == {
        2: "lastapp contains a NUL byte",
        3: "sequence 2147483648 is more than 2147483647",
        4: "start '0001-01-01 00:00:00' is out of range",
        5: "start 9999-12-31 11:00:00 UTC is before 2000 or more than a year ahead",
        6: "end '2026-03-05 11:00:00' is before start '2026-03-05 12:00:00'",
        8: "duration '1²' is not a whole number",
    }
    assert "CommandError: 6 line(s) not imported" in err
    assert "2 records: 2 new" in out
    assert sorted(Cdr.objects.values_list("sequence", flat=True)) == [7, 43]


def test_a_nul_padded_file_imports_the_rest(tmp_path):
    """A crash can leave NUL bytes where the file's end was (Asterisk appends after them), or zero a
    record's bytes in place: those lines are broken, every other one goes in."""
    path = tmp_path / "Master.csv"
    zeroed = mc.L21.replace('"vip"', '"' + "\x00" * 30 + '"').replace(",7", ",8")
    path.write_bytes(mc.master(mc.L21) + b"\x00" * 100 + mc.master(mc.L19, zeroed, mc.L20_UNIQUEID))
    out, err = run(path, "--timezone", "UTC")
    assert reported(err, path) == {2: "accountcode contains a NUL byte", 3: "userfield contains a NUL byte"}
    assert "2 records: 2 new" in out
    assert sorted(Cdr.objects.values_list("sequence", flat=True)) == [7, 43]


def test_a_row_the_database_refuses_costs_only_itself(tmp_path, monkeypatch):
    """The backstop: should a value slip past the parser, the batch is stored row by row."""
    real_parse = import_asterisk.parse_record

    def lenient_parse(data, *, zone, **layout):
        row = real_parse(data, zone=zone, **layout)
        if row["sequence"] == 42:
            row["duration"] = 2**40  # what the parser once let through: past the integer column
        return row

    monkeypatch.setattr(import_asterisk, "parse_record", lenient_parse)
    path = tmp_path / "Master.csv"
    path.write_bytes(mc.master(mc.L21, mc.L19, mc.L20_UNIQUEID))
    problems = []
    outcome = import_asterisk.cdr_import_file(path=str(path), zone=UTC, on_problem=problems.append)
    assert (outcome.records, outcome.created) == (2, 2)
    assert [problem.line for problem in problems] == [2]
    assert problems[0].reason.startswith("refused by the database: ")
    assert sorted(Cdr.objects.values_list("sequence", flat=True)) == [7, 43]


def test_follow_passes_a_bad_line_and_keeps_going(tmp_path, monkeypatch):
    path = tmp_path / "Master.csv"
    path.write_bytes(mc.master(mc.L21, *BAD_BUT_CSV))
    problems = []
    follower = CdrFollower(path=str(path), zone=UTC, on_problem=problems.append)
    assert follower.poll().created == 1
    assert [problem.line for problem in problems] == [2, 3, 4, 5, 6]
    assert ImportCursor.objects.get().line == 6

    real_parse = import_asterisk.parse_record

    def lenient_parse(data, *, zone, **layout):
        row = real_parse(data, zone=zone, **layout)
        if row["sequence"] == 42:
            row["lastdata"] += "\x00"  # a NUL past the parser
        return row

    monkeypatch.setattr(import_asterisk, "parse_record", lenient_parse)
    with path.open("ab") as handle:
        handle.write(mc.master(mc.L20_UNIQUEID, mc.L19))
    outcome = CdrFollower(path=str(path), zone=UTC, on_problem=problems.append).poll()  # a restart
    assert (outcome.created, [problem.line for problem in outcome.problems]) == (1, [8])
    assert "NUL" in outcome.problems[0].reason
    assert ImportCursor.objects.get().line == 8  # past it: the next restart does not meet it again
    with path.open("ab") as handle:
        handle.write(mc.master(mc.base(start="2026-03-05 12:30:00")))
    assert follower.poll().created == 1
    assert sorted(Cdr.objects.values_list("sequence", flat=True))[-2:] == [7, 43]


def test_the_same_call_twice_in_one_file_is_one_row(tmp_path):
    path = tmp_path / "Master.csv"
    shifted = mc.L21.replace("2026-03-05 11:00:00", "2026-03-05 10:00:00")  # a corrected start
    path.write_bytes(mc.master(mc.L21, shifted, mc.L21.replace(",7", ",8")))
    out, _err = run(path, "--timezone", "UTC")
    assert "3 records: 2 new, 0 already stored, 1 repeated in the file" in out
    assert sorted(Cdr.objects.values_list("sequence", flat=True)) == [7, 8]


@pytest.mark.parametrize("where", ["directory", "under a file"])
def test_follow_on_a_path_that_is_no_file_is_a_clear_error(tmp_path, where):
    path = tmp_path if where == "directory" else tmp_path / "Master.csv" / "Master.csv"
    (tmp_path / "Master.csv").write_bytes(mc.master(mc.L16))
    _out, err = run(path, "--follow", "--interval", "0")
    assert err.startswith("CommandError: ") and "Traceback" not in err
    assert str(path) in err
    assert ("is a directory" if where == "directory" else "Not a directory") in err


def test_blank_lines_are_no_broken_lines(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(mc.master(mc.L21, "", "  ", mc.L19) + b"\n")
    out, err = run(path, "--timezone", "UTC")
    assert err == ""
    assert "2 records: 2 new, 0 already stored; 0 broken line(s)" in out


def test_a_gzipped_rotated_file_is_read(tmp_path):
    path = tmp_path / "Master.csv.1.gz"
    path.write_bytes(gzip.compress(mc.master(mc.L21, mc.L19)))
    _out, err = run(path, "--timezone", "UTC")
    assert (err, Cdr.objects.count()) == ("", 2)


def test_the_output_says_how_the_file_was_decoded(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(mc.master(mc.L19) + mc.L21.replace("Rossi", "Rossì").encode("cp1252") + b"\n")
    out, _err = run(path, "--timezone", "UTC")
    assert "read as UTF-8, 1 record(s) not UTF-8 read as cp1252" in out
    assert Cdr.objects.get(sequence=7).clid.startswith('"Rossì')
    out, _err = run(path, "--timezone", "UTC", "--encoding", "latin-1")
    assert "read as latin-1" in out
    assert "unknown encoding 'klingon'" in run(path, "--encoding", "klingon")[1]


def test_a_line_repeated_in_another_batch_is_repeated_not_already_stored(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(mc.master(mc.L21, mc.L19, mc.L20_UNIQUEID, mc.L21))
    out, _err = run(path, "--timezone", "UTC", "--batch-size", "2")
    assert "4 records: 3 new, 0 already stored, 1 repeated in the file" in out
