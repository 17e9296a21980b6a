"""Finding records in Master.csv bytes: partial last lines, records spanning lines, broken quotes."""

import io

from cdr.services import master_file
from cdr.services.asterisk_csv import columns_of
from cdr.services.master_file import RecordReader, split_records
from tests.cdr import master_csv as mc


def test_split_keeps_partial_last_line_and_counts_lines():
    data = mc.master(mc.L16, mc.L17_UNIQUEID) + mc.L18.encode()  # last line still being written
    records, used, lines = split_records(data, offset=100, line=7, final=True)
    assert [(r.line, r.lines) for r in records] == [(8, 1), (9, 1)]
    assert used == len(mc.master(mc.L16, mc.L17_UNIQUEID)) and lines == 2
    assert records[1].end == 100 + used


def test_a_record_with_a_line_break_spans_two_lines():
    data = mc.master(mc.L16, mc.L18_MULTILINE, mc.L17_UNIQUEID)
    records, used, lines = split_records(data, offset=0, line=0, final=True)
    assert [(r.line, r.lines, r.problem) for r in records] == [(1, 1, ""), (2, 2, ""), (4, 1, "")]
    assert lines == 4 and used == len(data)
    assert columns_of(records[1].data)["userfield"] == "first line\nsecond line"


def test_open_quotes_wait_for_more_unless_final():
    data = mc.master(mc.L16) + (mc.L18_MULTILINE.split("\n")[0] + "\n").encode()
    records, _used, lines = split_records(data, offset=0, line=0, final=False)
    assert len(records) == 1 and lines == 1  # the second record's end is not written yet
    records, _used, lines = split_records(data, offset=0, line=0, final=True)
    assert [(r.line, r.problem) for r in records] == [(1, ""), (2, "unbalanced quotes")]


def test_an_unbalanced_line_does_not_swallow_the_good_ones_after_it():
    broken = '"","1001","1002","from-internal","""Alice <1001>'
    data = mc.master(broken, mc.L16, mc.L17_UNIQUEID, mc.L21)
    records, used, _lines = split_records(data, offset=0, line=0, final=True)
    assert [(r.line, r.problem) for r in records] == [(1, "unbalanced quotes"), (2, ""), (3, ""), (4, "")]
    assert used == len(data)


def test_reader_finds_records_across_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(master_file, "CHUNK_BYTES", 50)
    data = mc.master(mc.L16, mc.L18_MULTILINE, mc.L21) + b'"partial'
    reader = RecordReader(io.BytesIO(data), offset=0, line=0)
    records = list(reader.records(final=True))
    assert [(r.line, r.lines, r.problem) for r in records] == [(1, 1, ""), (2, 2, ""), (4, 1, "")]
    assert reader.leftover == b'"partial' and reader.line == 4 and reader.offset == len(data) - 8
    assert b"".join(r.data for r in records) == data[: reader.offset]
