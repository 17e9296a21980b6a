"""cdr_custom files: the sample template detected and named, any template described with --columns."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from cdr.models import Cdr
from cdr.services.asterisk_csv import RecordError, parse_record
from cdr.services.asterisk_layouts import CDR_CUSTOM_DEFAULT, columns_named

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
# What cdr_custom's sample mapping writes: every field through CSV_QUOTE, sequence bare.
CUSTOM_LINE = (
    '"""Alice"" <1001>","1001","1002","from-internal","PJSIP/1001-0000000a","PJSIP/1002-0000000b","Dial",'
    '"PJSIP/1002,30","2026-03-05 10:15:01","2026-03-05 10:15:04","2026-03-05 10:15:35","34","31","ANSWERED",'
    '"DOCUMENTATION","sales","1772705701.10","","3"'
)
TEMPLATE = (
    "Master.csv => ${CSV_QUOTE(${CDR(clid)})},${CSV_QUOTE(${CDR(src)})},${CSV_QUOTE(${CDR(dst)})},"
    "${CSV_QUOTE(${CDR(dcontext)})},${CSV_QUOTE(${CDR(channel)})},${CSV_QUOTE(${CDR(dstchannel)})},"
    "${CSV_QUOTE(${CDR(lastapp)})},${CSV_QUOTE(${CDR(lastdata)})},${CSV_QUOTE(${CDR(start)})},"
    "${CSV_QUOTE(${CDR(answer)})},${CSV_QUOTE(${CDR(end)})},${CSV_QUOTE(${CDR(duration)})},"
    "${CSV_QUOTE(${CDR(billsec)})},${CSV_QUOTE(${CDR(disposition)})},${CSV_QUOTE(${CDR(amaflags)})},"
    "${CSV_QUOTE(${CDR(accountcode)})},${CSV_QUOTE(${CDR(uniqueid)})},${CSV_QUOTE(${CDR(userfield)})},"
    "${CDR(sequence)}"
)


def test_the_sample_template_read_as_cdr_csv_is_named():
    with pytest.raises(RecordError, match=r"cdr_custom.s sample template .* --columns cdr_custom"):
        parse_record((CUSTOM_LINE + "\n").encode(), zone=UTC)


@pytest.mark.parametrize("text", ["cdr_custom", TEMPLATE, ",".join(CDR_CUSTOM_DEFAULT)])
def test_columns_from_a_preset_a_template_or_names(text):
    assert columns_named(text) == CDR_CUSTOM_DEFAULT
    record = parse_record((CUSTOM_LINE + "\n").encode(), zone=UTC, columns=columns_named(text))
    assert (record["clid"], record["accountcode"], record["uniqueid"], record["sequence"]) == (
        '"Alice" <1001>',
        "sales",
        "1772705701.10",
        3,
    )
    assert (record["duration"], record["billsec"]) == (34, 31)


def test_an_advanced_mapping_with_literals_high_resolution_and_no_end():
    """`fields =` with a literal and uniqueid(noquote), CDR(duration,f) seconds with a fraction,
    no answer or end column: end is start + duration, answer end - billsec."""
    columns = columns_named('fields = "PBX: east",start,src,dst,duration,billsec,disposition,uniqueid(noquote)')
    line = '"PBX: east","2026-03-05 10:15:01","1001","1002","34.512000","31.200000","ANSWERED",1772705701.10\n'
    record = parse_record(line.encode(), zone=UTC, columns=columns)
    assert record["end"] == datetime.datetime(2026, 3, 5, 10, 15, 35, tzinfo=UTC)
    assert record["answer"] == datetime.datetime(2026, 3, 5, 10, 15, 4, tzinfo=UTC)
    assert (record["duration"], record["billsec"], record["uniqueid"]) == (34, 31, "1772705701.10")


def test_columns_that_name_too_little_are_refused():
    with pytest.raises(RecordError, match="--columns names no start, duration"):
        columns_named("src,dst,billsec,disposition")


def test_the_command_imports_a_cdr_custom_file(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes((CUSTOM_LINE + "\n").encode())
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_asterisk_cdr", str(path), "--timezone", "UTC", stdout=out, stderr=err)
    assert "cdr_custom's sample template" in err.getvalue()
    call_command("import_asterisk_cdr", str(path), "--timezone", "UTC", "--columns", "cdr_custom", stdout=out)
    assert Cdr.objects.get().accountcode == "sales"


def test_cdr_sqlite3_custom_columns_line():
    """Its sample `columns` line: calldate is the start, `literal` and `ds_store` are skipped."""
    columns = columns_named(
        "columns = calldate, literal, clid, dcontext, channel, dstchannel, lastapp, lastdata, duration, billsec, "
        "disposition, amaflags, accountcode, uniqueid, userfield, ds_store"
    )
    assert columns[:3] == ("start", "-", "clid")
    assert columns[-2:] == ("userfield", "-")


def test_cdr_sqlite3_custom_values_line():
    columns = columns_named(
        "values = '${CDR(start)}','some literal','${CDR(clid)}','${CDR(dcontext)}','${CDR(channel)}',"
        "'${CDR(dstchannel)}','${CDR(lastapp)}','${CDR(lastdata)}','${CDR(duration)}','${CDR(billsec)}',"
        "'${CDR(disposition)}','${CDR(amaflags)}','${CDR(accountcode)}','${CDR(uniqueid)}','${CDR(userfield)}',"
        "'${CDR(ds_store)}'"
    )
    assert columns[:3] == ("start", "-", "clid")
    assert columns[-3:] == ("uniqueid", "userfield", "-")
