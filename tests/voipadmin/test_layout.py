"""The list page's layout that fits (issue 18): long cells clipped with the full value in the
hover, the filter form folded once applied with removable chips, a label per stacked cell."""

import datetime
import html
import re

import pytest

from tests.audit.factories import WebAccessFactory
from tests.cdr.factories import CdrFactory
from voipadmin.models import Preference

pytestmark = pytest.mark.django_db

LONG = "PJSIP/" + "trunk-" * 20 + "0000000a"


def test_a_long_cell_is_clipped_with_the_full_value_in_its_title(operator_client):
    row = CdrFactory(channel=LONG, src="100")
    page = operator_client.get("/cdr/").content.decode()
    cell = re.search(
        r'<td class="channel clip" title="([^"]*)" data-label="Channel"><span class="clip-text">([^<]*)</span>', page
    )
    assert cell is not None, "the channel cell is not clipped"
    assert html.unescape(cell.group(1)) == LONG
    assert html.unescape(cell.group(2)) == LONG
    # a short cell is neither clipped nor given a hover it does not need
    assert f'<td class="" data-label="Source">{row.src}</td>' in page


def test_filters_fold_once_applied_and_each_chip_removes_its_own_filter(operator_client):
    WebAccessFactory(principal="alice")
    open_page = operator_client.get("/web-sessions/").content.decode()
    assert '<details class="filter-panel" open>' in open_page
    page = operator_client.get(
        "/web-sessions/",
        {"principal": "alice", "time_after": "2026-12-01T08:00", "time_before": "2026-12-02T08:00", "o": "-time"},
    ).content.decode()
    assert '<details class="filter-panel">' in page
    assert "(2 applied)" in page
    chips = dict(
        (html.unescape(label), html.unescape(href))
        for label, href in re.findall(r'<span class="chip">([^<]*)<a class="chip-remove" href="([^"]*)"', page)
    )
    time_chip = next(label for label in chips if label.startswith("Date"))
    # 24-hour, in the viewer's zone (UTC here), no offset
    assert time_chip == "Date: 2026-12-01 08:00:00 to 2026-12-02 08:00:00"
    assert chips[time_chip] == "?principal=alice&o=-time"
    principal_chip = next(label for label in chips if label.startswith("Principal"))
    assert chips[principal_chip] == "?time_after=2026-12-01T08%3A00&time_before=2026-12-02T08%3A00&o=-time"


def test_a_chip_reads_the_range_in_the_viewers_zone(operator_client, operator):
    Preference.objects.update_or_create(user=operator, defaults={"time_zone": "Europe/Rome"})
    WebAccessFactory(time=datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC))
    page = operator_client.get("/web-sessions/", {"time_after": "2026-12-01T08:00:00+00:00"}).content.decode()
    assert "from 2026-12-01 09:00:00" in page
    assert "+00:00" not in page.split('class="chips"')[1].split("</div>")[0]
