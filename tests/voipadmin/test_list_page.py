"""The shared list page (templates/reports/list.html): each row's looking-glass link to its detail,
the empty row across every column, the diskette Export button (seed 002)."""

import re

import pytest
from django.test import Client

from tests.audit.factories import ServerEventFactory, WebAccessFactory
from tests.cdr.factories import CdrFactory
from tests.conferences.factories import ChatMessageFactory
from tests.conftest import login_quietly

pytestmark = pytest.mark.django_db


def detail_links(page: str) -> dict[str, str]:
    """data-pk of each row -> href of its Details link."""
    rows = re.findall(r'<tr data-detail="[^"]*" data-pk="([^"]+)">\s*<td class="row-detail"><a href="([^"]+)"', page)
    return dict(rows)


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("/web-sessions/", WebAccessFactory),
        ("/events/", ServerEventFactory),
        ("/cdr/", CdrFactory),
        ("/chat/", ChatMessageFactory),
    ],
)
def test_every_row_has_a_details_link_to_its_page(operator_client, url, factory):
    rows = factory.create_batch(3)
    page = operator_client.get(url).content.decode()
    links = detail_links(page)  # the operator's own login is a server event too
    assert {pk: links[pk] for pk in map(str, (row.pk for row in rows))} == {
        str(row.pk): f"{url}{row.pk}/" for row in rows
    }
    assert page.count('aria-label="Details" title="Open details" data-detail-link>') == len(links)
    assert len(links) == page.count("<tr data-detail=")
    # the link leads somewhere: the row's own page, without JavaScript
    assert operator_client.get(f"{url}{rows[0].pk}/").status_code == 200


def test_the_details_column_has_a_header_and_the_empty_row_spans_every_column(operator_client):
    page = operator_client.get("/web-sessions/").content.decode()
    header = re.search(r"<thead><tr>(.*?)</tr></thead>", page, re.S)[1]
    columns = header.count("<th ")
    assert '<th class="row-detail" scope="col"><span class="visually-hidden">Details</span></th>' in header
    assert columns == 6  # Details + Date, Principal, IP, Event type, User agent
    assert f'<td colspan="{columns}" class="empty-state">' in page


def test_export_button_is_a_diskette_that_says_what_it_downloads(support_client, operator):
    WebAccessFactory()
    page = support_client.get("/web-sessions/?outcome=login").content.decode()
    button = re.search(r'<a class="button" href="([^"]+)" title="([^"]+)" data-export>(.*?)</a>', page, re.S)
    assert button[1] == "export.csv?outcome=login"
    assert button[2] == "Download the filtered rows as CSV"
    assert '<svg class="icon"' in button[3] and 'aria-hidden="true"' in button[3]
    assert button[3].strip().endswith("Export CSV")
    operator_page = login_quietly(Client(), operator).get("/web-sessions/").content.decode()
    assert "data-export" not in operator_page  # operators may not export
