"""Reading Master.csv lines as cdr_csv writes them: every layout, quoting quirk and word."""

import datetime
import zoneinfo

import pytest

from cdr.services.asterisk_csv import (
    RecordError,
    parse_record,
)
from tests.cdr import master_csv as mc

UTC = datetime.UTC
ROME = zoneinfo.ZoneInfo("Europe/Rome")


def parse(line: str, zone=UTC) -> dict:
    return parse_record((line + "\n").encode(), zone=zone)


def test_base_layout_every_field():
    record = parse(mc.L16)
    assert record["accountcode"] == ""
    assert record["src"] == "1001"
    assert record["dst"] == "1002"
    assert record["dcontext"] == "from-internal"
    assert record["clid"] == '"Alice Smith" <1001>'
    assert record["channel"] == "PJSIP/1001-0000000a"
    assert record["dstchannel"] == "PJSIP/1002-0000000b"
    assert record["lastapp"] == "Dial"
    assert record["lastdata"] == "PJSIP/1002,30,tT"
    assert record["start"] == datetime.datetime(2026, 3, 5, 10, 15, 1, tzinfo=UTC)
    assert record["answer"] == datetime.datetime(2026, 3, 5, 10, 15, 4, tzinfo=UTC)
    assert record["end"] == datetime.datetime(2026, 3, 5, 10, 17, 20, tzinfo=UTC)
    assert (record["duration"], record["billsec"]) == (139, 136)
    assert (record["disposition"], record["disposition_source"]) == ("ANSWERED", "ANSWERED")
    assert record["amaflags"] == "DOCUMENTATION"
    assert record["userfield"] == record["peeraccount"] == record["linkedid"] == ""
    # no uniqueid in the file: one derived from the line, stable, sequence 0
    assert record["uniqueid"].startswith("line-") and len(record["uniqueid"]) == 45
    assert record["sequence"] == 0
    assert parse(mc.L16)["uniqueid"] == record["uniqueid"]
    assert parse(mc.BASE_TRUNK)["uniqueid"] != record["uniqueid"]


@pytest.mark.parametrize(
    ("line", "uniqueid", "userfield", "peeraccount", "linkedid", "sequence"),
    [
        (mc.L17_UNIQUEID, "1772705701.10", "", "", "", None),
        (mc.L17_USERFIELD, None, "campaign=spring", "", "", 0),
        (mc.L18, "pbx1-1772705701.10", 'vip "gold"', "", "", None),
        (mc.L19, None, "", "peer-acc", "1772705701.9", 42),
        (mc.L20_UNIQUEID, "1772705701.10", "", "", "1772705701.9", 43),
        (mc.L20_USERFIELD, None, "transfer", "", "1772705701.9", 44),
        (mc.L21, "1772708400.20", "vip", "peer-acc", "1772708400.20", 7),
    ],
)
def test_layouts_detected_by_column_count(line, uniqueid, userfield, peeraccount, linkedid, sequence):
    record = parse(line)
    if uniqueid is None:
        assert record["uniqueid"].startswith("line-")
    else:
        assert record["uniqueid"] == uniqueid
    assert (record["userfield"], record["peeraccount"], record["linkedid"]) == (userfield, peeraccount, linkedid)
    if sequence is None:
        # a uniqueid but no sequence column: derived from the line, negative, stable
        assert record["sequence"] < 0
        assert parse(line)["sequence"] == record["sequence"]
    else:
        assert record["sequence"] == sequence
    assert record["src"] in ("1001", "+390612345678")


def test_two_records_of_one_channel_without_sequence_keep_apart():
    """Asterisk 12+ writes one CDR per dial attempt with the channel's uniqueid: both must stay."""
    first = parse(mc.BASE_ANSWERED + ',"1772705701.10"')
    second = parse(mc.BASE_NO_ANSWER + ',"1772705701.10"')
    assert first["uniqueid"] == second["uniqueid"]
    assert first["sequence"] != second["sequence"]


def test_trunk_call_with_commas_and_quotes_in_clid():
    record = parse(mc.L21)
    assert record["clid"] == '"Rossi, Mario" <+390612345678>'
    assert record["lastdata"] == "support,t,,,300"
    assert record["accountcode"] == "sales"
    assert record["amaflags"] == "BILLING"
    assert record["answer"] == datetime.datetime(2026, 3, 5, 11, 0, 10, tzinfo=UTC)


def test_unanswered_call_has_no_answer_time():
    record = parse(mc.BASE_NO_ANSWER)
    assert record["answer"] is None
    assert (record["disposition"], record["disposition_source"], record["billsec"]) == ("NO_ANSWER", "NO ANSWER", 0)


@pytest.mark.parametrize(
    ("word", "stored"),
    [
        ("ANSWERED", "ANSWERED"),
        ("NO ANSWER", "NO_ANSWER"),
        ("NO_ANSWER", "NO_ANSWER"),
        ("BUSY", "BUSY"),
        ("FAILED", "FAILED"),
        ("CONGESTION", "FAILED"),
        ("CANCEL", "NO_ANSWER"),
    ],
)
def test_dispositions(word, stored):
    record = parse(mc.base(disposition=word))
    assert (record["disposition"], record["disposition_source"]) == (stored, word)


@pytest.mark.parametrize(
    ("word", "stored"),
    [
        ("DOCUMENTATION", "DOCUMENTATION"),
        ("BILLING", "BILLING"),
        ("OMIT", "OMIT"),
        ("Unknown", ""),
        ("3", "DOCUMENTATION"),
    ],
)
def test_amaflags_words(word, stored):
    assert parse(mc.base(amaflags=word))["amaflags"] == stored


def test_local_times_are_read_in_the_given_zone():
    record = parse(mc.L16, zone=ROME)  # CET, UTC+1 in March before the switch
    assert record["start"] == datetime.datetime(2026, 3, 5, 9, 15, 1, tzinfo=UTC)
    summer = parse(mc.base(start="2026-07-01 12:00:00"), zone=ROME)
    assert summer["start"] == datetime.datetime(2026, 7, 1, 10, 0, 0, tzinfo=UTC)


def test_line_ends_bom_and_latin1():
    crlf = parse_record((mc.L17_UNIQUEID + "\r\n").encode(), zone=UTC)
    assert crlf == parse(mc.L17_UNIQUEID)
    with_bom = parse_record(("\ufeff" + mc.L17_UNIQUEID + "\n").encode(), zone=UTC)
    assert with_bom["accountcode"] == "" and with_bom["uniqueid"] == "1772705701.10"
    latin = mc.L17_UNIQUEID.replace("Alice Smith", "Nicolò").encode("latin-1") + b"\n"
    assert parse_record(latin, zone=UTC)["clid"] == '"Nicolò" <1001>'


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('"","1001","1002"', "3 columns; Asterisk's Master.csv has 16 to 21"),
        (mc.base().replace("2026-03-05 12:00:00", "2026-13-45 99:00:00"), "start '2026-13-45 99:00:00' is not a time"),
        (mc.base().replace(",5,0,", ",5,9,"), "billsec 9 exceeds duration 5"),
        (mc.base().replace(",5,0,", ",five,0,"), "duration 'five' is not a whole number"),
        (mc.base(disposition="MAYBE"), "disposition 'MAYBE' is not one of Asterisk's"),
        (mc.base(amaflags="SOMETIMES"), "amaflags 'SOMETIMES' is not"),
        (mc.L19.replace(",42", ',"x"'), "sequence 'x' is not a whole number"),
        (mc.L16.replace('"from-internal"', '"from"-internal'), "not CSV as Asterisk writes it"),
        (mc.base().replace(',"2026-03-05 12:00:00"', ',""'), "start is empty"),
        # what the parser once passed and the database then refused, stopping the whole import
        (mc.L16.replace('"Dial"', '"Di\x00al"'), "lastapp contains a NUL byte"),
        (mc.L21.replace('"vip"', '"\x00\x00"'), "userfield contains a NUL byte"),
        (mc.L19.replace(",42", ",2147483648"), "sequence 2147483648 is more than 2147483647"),
        (mc.base().replace(",5,0,", ",99999999999,0,"), "duration 99999999999 is more than 2147483647"),
        (mc.base().replace(",5,0,", ",5,2147483648,"), "billsec 2147483648 is more than 2147483647"),
        (mc.base().replace(",5,0,", ",-5,0,"), "duration '-5' is not a whole number"),
        (
            mc.base(start="9999-12-31 23:00:00"),
            "start 9999-12-31 23:00:00 UTC is before 2000 or more than a year ahead",
        ),
        (mc.base(start="1999-12-31 23:59:59"), "start 1999-12-31 23:59:59 UTC is before 2000 or more than a year"),
        (mc.L16.replace("2026-03-05 10:15:04", "3026-03-05 10:15:04"), "answer 3026-03-05 10:15:04 UTC is before 2000"),
        # end before start: the API refuses it, so does the file
        (mc.base().replace('"2026-03-05 12:00:05"', '"2026-03-05 11:59:59"'), "end '2026-03-05 11:59:59' is before"),
    ],
)
def test_broken_lines_say_why(line, reason):
    with pytest.raises(RecordError) as error:
        parse(line)
    assert reason in str(error.value)


def test_latin1_superscript_digit_in_a_number_is_a_broken_line():
    """0xB2 is "²" in Latin-1: str.isdigit() says yes, int() says no."""
    data = mc.base().encode("latin-1").replace(b",5,0,", b",1\xb2,0,") + b"\n"
    with pytest.raises(RecordError, match="duration '1²' is not a whole number"):
        parse_record(data, zone=UTC)
    data = mc.L19.encode().replace(b",42", b",4\xb2") + b"\n"
    with pytest.raises(RecordError, match="sequence '4²' is not a whole number"):
        parse_record(data, zone=UTC)


@pytest.mark.parametrize("start", ["0001-01-01 00:00:00", "9999-12-31 23:59:59"])
def test_times_beyond_the_calendar_are_broken_lines(start):
    """Read in a zone east (Rome) or west of UTC they overflow the calendar: a RecordError."""
    for zone in (ROME, zoneinfo.ZoneInfo("America/New_York")):
        with pytest.raises(RecordError, match="start"):
            parse(mc.base(start=start), zone=zone)


def test_the_window_of_sane_times_follows_now():
    now = datetime.datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_record((mc.base(start="2027-03-01 00:00:00") + "\n").encode(), zone=UTC, now=now)
    with pytest.raises(RecordError, match="more than a year ahead"):
        parse_record((mc.base(start="2027-03-03 00:00:00") + "\n").encode(), zone=UTC, now=now)


def test_17_columns_with_a_systemname_uniqueid():
    """systemname in asterisk.conf prefixes the uniqueid: `pbx1-<epoch>.<n>` is still a uniqueid."""
    record = parse(mc.BASE_ANSWERED + ',"pbx1-1772705701.10"')
    assert (record["uniqueid"], record["userfield"]) == ("pbx1-1772705701.10", "")
    assert record["sequence"] < 0  # no sequence column: derived
    dotted = parse(mc.BASE_ANSWERED + ',"pbx-east.example-1772705701.11"')
    assert dotted["uniqueid"] == "pbx-east.example-1772705701.11"


def test_17_columns_with_any_systemname_asterisk_allows():
    """asterisk.conf takes systemname as written: `+`, spaces and the like still make a uniqueid."""
    for uniqueid in ("pbx+01-1683723600.19", "pbx east-1683723600.20", "pbx_01@dc1-1683723600.21"):
        record = parse(mc.BASE_ANSWERED + f',"{uniqueid}"')
        assert (record["uniqueid"], record["userfield"]) == (uniqueid, "")


def test_unknown_disposition_is_failed_with_the_word_kept():
    """ast_cdr_disp2str answers UNKNOWN for a disposition it has no word for."""
    record = parse(mc.base(disposition="UNKNOWN"))
    assert (record["disposition"], record["disposition_source"]) == ("FAILED", "UNKNOWN")


def test_initiatedseconds_billsec_one_over_duration_is_accepted():
    """main/cdr.c truncates duration and, with initiatedseconds=yes, rounds billsec up from half a
    second: a call of 139.7 s answered 0.2 s in is duration 139, billsec 140 (139.5 s)."""
    line = mc.BASE_ANSWERED.replace(",139,136,", ",139,140,")
    assert parse(line)["billsec"] == 140
    with pytest.raises(RecordError, match="billsec 141 exceeds duration 139 \\+ 1"):
        parse(mc.BASE_ANSWERED.replace(",139,136,", ",139,141,"))


def test_latin1_and_cp1252_caller_names_read_by_default_or_as_told():
    name = "Müller \u2013 Café"  # the en dash is 0x96 in cp1252, a control character in Latin-1
    data = mc.L17_UNIQUEID.replace("Alice Smith", name).encode("cp1252") + b"\n"
    assert parse_record(data, zone=UTC)["clid"] == f'"{name}" <1001>'
    latin = mc.L17_UNIQUEID.replace("Alice Smith", "Ñandú").encode("latin-1") + b"\n"
    assert parse_record(latin, zone=UTC, encoding="latin-1")["clid"] == '"Ñandú" <1001>'
    with pytest.raises(RecordError, match="not utf-8"):
        parse_record(latin, zone=UTC, encoding="utf-8")
