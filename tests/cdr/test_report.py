"""The Call Detail Records report: filters, sorts, detail with the call's legs, export, delete, empty page."""

import csv
import datetime
import io
import re

import pytest

from audit.models import ServerEvent
from cdr.models import Cdr
from tests.cdr.factories import T0, AccountFactory, CdrFactory

pytestmark = pytest.mark.django_db


def at(minutes: int) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


@pytest.fixture
def calls():
    alice = AccountFactory(username="alice", extension="1001")
    bob = AccountFactory(username="bob", extension="1002")
    return {
        "answered": CdrFactory(
            start=at(0), src="1001", dst="1002", caller=alice, callee=bob, duration=130, billsec=120, linkedid="L1"
        ),
        "busy": CdrFactory(
            start=at(10), src="1002", dst="1001", caller=bob, callee=alice, disposition="BUSY",
            duration=3, billsec=0, answer=None,
        ),
        "outside": CdrFactory(
            start=at(20), src="+390612345678", dst="1002", callee=bob, disposition="NO_ANSWER",
            disposition_source="CANCEL", duration=25, billsec=0, answer=None, linkedid="L3",
        ),
        "leg": CdrFactory(start=at(20), src="+390612345678", dst="1001", callee=alice, linkedid="L3", billsec=40),
        "failed": CdrFactory(
            start=at(60 * 24), src="1001", dst="0044207", caller=alice, disposition="FAILED",
            disposition_source="CONGESTION", duration=1, billsec=0, answer=None,
        ),
    }  # fmt: skip


def shown(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-pk="(\d+)"', response.content.decode())]


def ids(calls, *names):
    return [calls[name].pk for name in names]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["failed", "leg", "outside", "busy", "answered"]),
        ("disposition=BUSY&disposition=FAILED", ["failed", "busy"]),
        ("disposition=NO_ANSWER", ["outside"]),
        ("account=ALICE", ["failed", "leg", "busy", "answered"]),
        ("account=nobody", []),
        ("src=3906", ["leg", "outside"]),
        ("dst=0044", ["failed"]),
        ("duration_min=20&duration_max=130", ["leg", "outside", "answered"]),
        ("billsec_min=1", ["leg", "answered"]),
        ("linkedid=L3", ["leg", "outside"]),
        ("start_after=2026-11-10T09:05&start_before=2026-11-10T09:30", ["leg", "outside", "busy"]),
        ("q=congestion", ["failed"]),  # the word as received, shown in the disposition's hover
        ("q=0044 1001", ["failed"]),
        ("o=duration", ["failed", "busy", "outside", "leg", "answered"]),
        ("o=-billsec", ["answered", "leg", "failed", "outside", "busy"]),
        ("o=src", ["outside", "leg", "answered", "failed", "busy"]),
    ],
)
def test_filters_and_sorts(operator_client, calls, query, expected):
    response = operator_client.get(f"/cdr/?{query}")
    assert response.status_code == 200
    assert shown(response) == ids(calls, *expected)


def test_uniqueid_filter_is_exact(operator_client, calls):
    target = calls["busy"]
    assert shown(operator_client.get(f"/cdr/?uniqueid={target.uniqueid}")) == [target.pk]
    assert shown(operator_client.get(f"/cdr/?uniqueid={target.uniqueid[:5]}")) == []


def test_list_links_accounts_to_their_history_and_hints_the_source_word(operator_client, calls):
    page = operator_client.get("/cdr/").content.decode()
    assert 'href="/cdr/?account=alice"' in page
    assert 'title="FAILED: the call could not be placed; as received: CONGESTION"' in page
    assert "Caller ID</a></th>" in page and "Unique ID</a></th>" not in page  # export-only columns stay off the page


def test_disposition_hover_says_what_the_exit_code_means(operator_client, calls):
    page = operator_client.get("/cdr/").content.decode()
    hints = dict(re.findall(r'<td class="enum enum-(\w+)" title="([^"]*)" data-label="Disposition">', page))
    assert hints == {
        "ANSWERED": "ANSWERED: the call was taken by the callee; as received: ANSWERED",
        "BUSY": "BUSY: the callee refused the call; as received: BUSY",
        "NO_ANSWER": "NO_ANSWER: nobody picked up the phone (mostly a time-out); as received: CANCEL",
        "FAILED": "FAILED: the call could not be placed; as received: CONGESTION",
    }
    detail = operator_client.get(f"/cdr/{calls['outside'].pk}/").content.decode()
    leg_hint = "ANSWERED: the call was taken by the callee; as received: ANSWERED"
    assert f'<td class="enum enum-ANSWERED" title="{leg_hint}">ANSWERED</td>' in detail


def test_bad_filter_is_a_400_not_a_500(operator_client, calls):
    response = operator_client.get("/cdr/?disposition=MAYBE&billsec_min=x&colour=red")
    assert response.status_code == 400
    page = response.content.decode()
    assert "disposition" in page and "billsec" in page and "colour" in page


def test_detail_shows_the_whole_record_and_the_other_legs(operator_client, calls):
    outside = calls["outside"]
    page = operator_client.get(f"/cdr/{outside.pk}/").content.decode()
    for text in (outside.uniqueid, "CANCEL", "PJSIP/1002-0000000b", "Disposition as received", "AMA flags"):
        assert text in page
    assert f'data-leg="{calls["leg"].pk}"' in page
    panel = operator_client.get(f"/cdr/{calls['answered'].pk}/?panel=1").content.decode()
    assert "<html" not in panel and "data-no-legs" in panel and "linked ID L1" in panel
    assert operator_client.get("/cdr/0/").status_code == 404


def test_legs_without_linkedid_are_the_same_uniqueid(operator_client):
    first = CdrFactory(uniqueid="1772705701.10", linkedid="", sequence=-5)
    second = CdrFactory(uniqueid="1772705701.10", linkedid="", sequence=-9, dst="1003")
    page = operator_client.get(f"/cdr/{first.pk}/").content.decode()
    assert f'data-leg="{second.pk}"' in page
    assert "derived its sequence" in page


def test_export_has_every_asterisk_field(support_client, calls):
    response = support_client.get("/cdr/export.csv?disposition=FAILED")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header = rows[0]
    assert header[:3] == ["Date (UTC)", "Answer (UTC)", "End (UTC)"]
    for name in ("Unique ID", "Linked ID", "Sequence", "AMA flags", "User field", "Disposition as received", "Caller"):
        assert name in header
    record = dict(zip(header, rows[1], strict=True))
    assert len(rows) == 2
    assert record["Destination"] == "0044207" and record["Caller"] == "alice"
    assert record["Disposition"] == "FAILED" and record["Disposition as received"] == "CONGESTION"
    assert record["Date (UTC)"] == "2026-11-11 09:00:00" and record["Answer (UTC)"] == ""


def test_filtered_delete_writes_delete_cdrs(admin_client, calls, django_capture_on_commit_callbacks):
    confirm = admin_client.get("/cdr/delete/?disposition=NO_ANSWER&disposition=BUSY")
    assert b"data-delete-count" in confirm.content
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/cdr/delete/?disposition=NO_ANSWER&disposition=BUSY", {"expected": "2"})
    assert set(Cdr.objects.values_list("pk", flat=True)) == set(ids(calls, "answered", "leg", "failed"))
    event = ServerEvent.objects.get(event_type="delete_cdrs")
    assert event.deleted_count == 2


def test_empty_table_says_how_to_get_a_first_call(operator_client):
    page = operator_client.get("/cdr/").content.decode()
    assert "data-first-call" in page
    assert "Place a phone call between two SIP accounts" in page
    assert "/api/v1/cdrs/" in page and "import_asterisk_cdr" in page
    assert "data-summary" not in page
    # the guidance is said once, in the card; the table's empty row points at it
    assert page.count("Place a phone call between two SIP accounts") == 1
    empty_row = re.search(r'<td colspan="\d+" class="empty-state">\s*(.*?)\s*</td>', page, re.S)[1]
    assert empty_row == "No calls recorded yet: the steps above show how to get the first one in."


def test_menu_lists_the_report_under_calls(operator_client):
    page = operator_client.get("/").content.decode()
    assert re.search(r"Calls</div>\s*<a href=\"/cdr/\"[^>]*>Call Detail Records</a>", page)


def test_a_bound_no_row_can_reach_gives_an_empty_selection_everywhere(support_client, calls):
    """A number past the column's range matches nothing: an empty page, an export with only its
    header (not a cut-off stream), an empty API page."""
    query = "duration_min=1e20"
    assert support_client.get(f"/cdr/?{query}").status_code == 200
    response = support_client.get(f"/cdr/export.csv?{query}")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Date (UTC)")
    api = support_client.get(f"/api/v1/cdrs/?{query}")
    assert api.status_code == 200 and api.json()["results"] == []


def test_detail_shows_every_field_with_its_label(operator_client):
    """Every stored field of the record, each under its label (README: the detail page)."""
    alice = AccountFactory(username="alice", extension="1001")
    cdr = CdrFactory(
        src="1001", caller=alice, accountcode="acc-x", peeraccount="peer-x", dcontext="ctx-x", lastapp="Queue",
        lastdata="support,t", userfield="uf-x", amaflags="BILLING", linkedid="link-x", sequence=77,
    )  # fmt: skip
    page = operator_client.get(f"/cdr/{cdr.pk}/").content.decode()
    shown_fields = dict(re.findall(r'<dt>([^<]+)</dt><dd class="[^"]*">(.*?)</dd>', page, re.S))
    labels = [str(field.verbose_name) for field in Cdr._meta.concrete_fields]
    assert sorted(shown_fields) == sorted(label[:1].upper() + label[1:] for label in labels)
    for label, value in [
        ("Unique ID", cdr.uniqueid), ("Sequence", "77"), ("Linked ID", "link-x"), ("Account code", "acc-x"),
        ("Peer account", "peer-x"), ("Destination context", "ctx-x"), ("Last application", "Queue"),
        ("Last data", "support,t"), ("User field", "uf-x"), ("AMA flags", "BILLING"), ("Source", "1001"),
        ("Billsec", "60"), ("Duration", "65"), ("Disposition as received", "ANSWERED"),
    ]:  # fmt: skip
        assert value in shown_fields[label], label
    assert "alice" in shown_fields["Caller"]


def test_export_shows_the_sequence_the_pbx_wrote_never_a_derived_one(support_client):
    """A file without a sequence column gets a derived (negative) one, kept internal: the export
    says what the PBX wrote, nothing there."""
    CdrFactory(uniqueid="1772705701.10", sequence=-123456, src="5551")
    CdrFactory(uniqueid="1772705701.11", sequence=4, src="5552")
    response = support_client.get("/cdr/export.csv?o=src")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    sequences = [dict(zip(rows[0], row, strict=True))["Sequence"] for row in rows[1:]]
    assert sequences == ["", "4"]
