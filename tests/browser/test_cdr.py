"""A person opens Call Detail Records, filters by disposition, opens a call with its legs, exports."""

import csv
import datetime
import io

import pytest

from tests.browser.conftest import log_in
from tests.cdr.factories import T0, AccountFactory, CdrFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at(minutes: int) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


def test_cdr_end_to_end(page, screenshot, admin_user):
    alice = AccountFactory(username="alice", extension="1001", display_name="Alice Smith")
    bob = AccountFactory(username="bob", extension="1002", display_name="Bob Jones")
    for n in range(5):
        CdrFactory(start=at(n), src="1001", dst="1002", caller=alice, callee=bob, billsec=60 + n, duration=70 + n)
    for n in range(3):
        CdrFactory(
            start=at(10 + n), src="1002", dst="1001", caller=bob, callee=alice, disposition="BUSY",
            billsec=0, duration=4, answer=None,
        )  # fmt: skip
    # a call in from outside: the ring group rang both phones, bob answered
    CdrFactory(
        start=at(30), src="+390612345678", dst="600", callee=alice, disposition="NO_ANSWER",
        disposition_source="CANCEL", linkedid="1794303000.77", billsec=0, duration=12, answer=None,
        dstchannel="PJSIP/alice-0000002a",
    )  # fmt: skip
    CdrFactory(
        start=at(30), src="+390612345678", dst="600", callee=bob, linkedid="1794303000.77",
        dstchannel="PJSIP/bob-0000002b", billsec=95, duration=107,
    )  # fmt: skip

    log_in(page, "boss")
    page.click("nav >> text=Call Detail Records")
    page.wait_for_url("**/cdr/")
    rows = page.locator("table.report tbody tr[data-pk]")
    assert rows.count() == 10
    assert page.locator("[data-summary-calls]").inner_text() == "10"

    # filter by disposition through the multi-select
    page.click("[data-filter=disposition] summary")
    page.check("[data-filter=disposition] input[value=BUSY]")
    page.check("[data-filter=disposition] input[value=NO_ANSWER]")
    page.click("button:has-text('Search')")
    page.wait_for_url("**disposition=BUSY**")
    assert rows.count() == 4
    assert page.locator("[data-summary-answered]").inner_text() == "0.0%"
    assert set(page.locator("table.report tbody td.enum").all_inner_texts()) == {"BUSY", "NO_ANSWER"}
    screenshot("filtered")

    # open the unanswered leg of the outside call: the panel shows the record and the other leg
    page.locator("table.report tbody tr", has_text="+390612345678").first.click(position={"x": 5, "y": 5})
    page.wait_for_selector("#detail-panel:not([hidden]) dl.fields")
    panel = page.locator("#detail-panel")
    assert "CANCEL" in panel.inner_text() and "1794303000.77" in panel.inner_text()
    assert page.locator("#detail-panel [data-leg]").count() == 1
    assert "PJSIP/bob-0000002b" in page.locator("#detail-panel [data-legs]").inner_text()
    screenshot("detail")
    panel.locator("text=Open as a page").click()
    page.wait_for_selector("[data-legs]")
    assert "Other legs of this call" in page.content()
    page.go_back()

    # export the filtered selection: every Asterisk field, in the viewer's zone
    with page.expect_download() as download_info:
        page.click("[data-export]")
    exported = list(csv.reader(io.StringIO(download_info.value.path().read_text())))
    header = exported[0]
    assert header[0] == "Date (UTC)" and "Unique ID" in header and "Linked ID" in header
    assert len(exported) == 5
    assert {row[header.index("Disposition")] for row in exported[1:]} == {"BUSY", "NO_ANSWER"}
    assert exported[1][header.index("Disposition as received")] == "CANCEL"


CHANNEL = "PJSIP/trunk-provider-with-a-long-name-0000000a"
DST_CHANNEL = "PJSIP/trunk-provider-with-a-very-long-name-0000000b;2/" + "x" * 80


def test_channel_columns_keep_to_one_line_with_the_whole_name_in_hover_and_panel(page, screenshot, admin_user):
    """At 1440 px the channels were wrapped a few letters a line (a column as narrow as one letter):
    now one line, cut with an ellipsis at the column's width, the whole name in the hover and in
    the detail panel, and the page never scrolls sideways."""
    cdr = CdrFactory(start=at(0), channel=CHANNEL, dstchannel=DST_CHANNEL, clid='"Reception desk" <100>')
    CdrFactory(start=at(1), channel="PJSIP/100-00000001", dstchannel="")
    log_in(page, "boss")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/cdr/")
    row = page.locator(f"tr[data-pk='{cdr.pk}']")
    one_line = row.locator("td.time").bounding_box()["height"]
    for index, value in enumerate((CHANNEL, DST_CHANNEL)):
        cell = row.locator("td.channel").nth(index + 1)  # after the caller ID
        assert cell.get_attribute("title") == value
        box = cell.bounding_box()
        assert box["height"] <= one_line + 1, value  # one line, not a letter column
        assert 80 <= box["width"] <= 200, value  # 6.5em and its padding at most, never a sliver
        assert cell.evaluate("td => td.scrollWidth > td.clientWidth")  # cut, with an ellipsis
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    # every column on screen: the table fits its box, no sideways scroll inside it either; the
    # caller ID is one line too (it was wrapped a letter or two a line), whole in its hover
    clid = row.locator("td.channel").first
    assert clid.get_attribute("title") == '"Reception desk" <100>'
    assert clid.bounding_box()["height"] <= one_line + 1
    table = page.locator("table.report")
    assert table.evaluate("t => t.parentElement.scrollWidth - t.parentElement.clientWidth") <= 0
    assert table.evaluate("t => t.getBoundingClientRect().right") <= 1440
    assert page.locator("td.empty").count() >= 1  # a blank destination channel is still a dash
    screenshot("channels-1440")
    row.locator("td").nth(1).click()
    panel = page.locator("#detail-panel:not([hidden])")
    panel.wait_for()
    assert DST_CHANNEL in panel.inner_text() and CHANNEL in panel.inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/cdr/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot("channels-390")
