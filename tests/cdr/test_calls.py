"""Calls: one row per call (legs grouped by linkedid) with its direction, in one query per page."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cdr.factories import T0, AccountFactory, CdrFactory

pytestmark = pytest.mark.django_db


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-detail="/calls/(\d+)/"', page)


@pytest.fixture
def calls():
    alice, bob = AccountFactory(username="alice", extension="100"), AccountFactory(username="bob", extension="200")
    internal = CdrFactory(uniqueid="1.1", linkedid="1.1", src="100", dst="200", caller=alice, callee=bob, start=T0)
    CdrFactory(
        uniqueid="1.2",
        linkedid="1.1",
        src="200",
        dst="300",
        start=T0 + datetime.timedelta(seconds=5),
        disposition="NO_ANSWER",
        billsec=0,
    )
    inbound = CdrFactory(
        uniqueid="2.1", linkedid="2.1", src="0044207", dst="200", callee=bob, start=T0 + datetime.timedelta(minutes=1)
    )
    outbound = CdrFactory(
        uniqueid="3.1", linkedid="3.1", src="100", dst="0039", caller=alice, start=T0 + datetime.timedelta(minutes=2)
    )
    return internal, inbound, outbound


def test_one_row_per_call_with_direction_and_legs(operator_client, calls):
    internal, inbound, outbound = calls
    page = operator_client.get("/calls/").content.decode()
    assert rows(page) == [str(outbound.pk), str(inbound.pk), str(internal.pk)]
    row = page.split(f'data-pk="{internal.pk}"')[1].split("</tr>")[0]
    assert 'data-label="Direction">internal</td>' in row
    assert 'data-label="Legs">2</td>' in row
    assert "100 → 200 ANSWERED 60 s; 200 → 300 NO_ANSWER 0 s" in row
    assert 'data-label="Direction">inbound</td>' in page.split(f'data-pk="{inbound.pk}"')[1].split("</tr>")[0]
    assert 'data-label="Direction">outbound</td>' in page.split(f'data-pk="{outbound.pk}"')[1].split("</tr>")[0]
    # the per-leg list still has every leg
    assert len(re.findall(r'<tr data-detail="/cdr/', operator_client.get("/cdr/").content.decode())) == 4


def test_filters_and_pages_are_the_report_machines(operator_client, calls):
    internal, _, _ = calls
    page = operator_client.get("/calls/", {"src": "100", "o": "start"}).content.decode()
    assert rows(page)[0] == str(internal.pk)
    operator_client.get("/calls/")
    with CaptureQueriesContext(connection) as three:
        operator_client.get("/calls/")
    for n in range(5):
        CdrFactory(uniqueid=f"9.{n}", linkedid=f"9.{n}", start=T0 + datetime.timedelta(hours=n + 1))
    with CaptureQueriesContext(connection) as eight:
        operator_client.get("/calls/")
    assert len(eight) == len(three)  # no query per row


def test_export_has_direction_and_legs(support_client, calls):
    response = support_client.get("/calls/export.csv?o=start")
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    record = dict(zip(table[0], table[1], strict=True))
    assert record["Direction"] == "internal" and record["Legs"] == "2" and record["Duration (s)"] == "65"
    assert sorted(record["Legs of the call"].split("; ")) == ["100 → 200 ANSWERED 60 s", "200 → 300 NO_ANSWER 0 s"]
