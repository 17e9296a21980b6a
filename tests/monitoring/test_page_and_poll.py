"""/monitoring/ and its poll: every user with sticker and icons, filters, only changes polled."""

import base64
import datetime
import re
from unittest import mock

import pytest
from django.utils import timezone

from monitoring.models import TerminalState
from monitoring.paging import encode_key
from monitoring.poll import encode_token
from registrations.models import Account, RegistrationBinding
from tests.monitoring.factories import TerminalStateFactory, live_binding
from tests.registrations.factories import AccountFactory

pytestmark = pytest.mark.django_db

PAGE, CHANGES = "/monitoring/", "/monitoring/changes/"


@pytest.fixture
def people(db):
    now = timezone.now()
    alice = AccountFactory(username="1101", first_name="Alice", last_name="Abati", department="Sales", extension="731")
    bruno = AccountFactory(username="1902", first_name="Bruno", last_name="Bassi", department="Support")
    carla = AccountFactory(username="1903", first_name="Carla", last_name="Conti", department="Support")
    dario = AccountFactory(username="1404", first_name="Dario", last_name="Dini", department="Engineering")
    TerminalStateFactory(account=alice, calls_active=2, address="192.0.2.7")
    TerminalStateFactory(account=bruno, terminal=2, kind="dect", calls_ringing=1, address="javascript:alert(1)")
    live_binding(carla, now=now)
    # written an hour ago, so only what a test changes is new to the poll
    TerminalState.objects.update(updated_at=now - datetime.timedelta(hours=1))
    RegistrationBinding.objects.update(updated_at=now - datetime.timedelta(hours=1))
    Account.objects.update(updated_at=now - datetime.timedelta(hours=1))
    return {"alice": alice, "bruno": bruno, "carla": carla, "dario": dario}


def rows(response) -> dict[str, str]:
    """username -> state of every row on the page."""
    html = response.content.decode()
    found = re.findall(r'<tr data-account="\d+"[^>]*data-state="(\w+)".*?<a href="/accounts/\d+/">([^<]+)</a>', html)
    return {username: state for state, username in found}


def token_of(response) -> str:
    return re.search(r'data-token="(\d+)"', response.content.decode()).group(1)


def test_every_user_with_sticker_calls_icons_and_diag(operator_client, people):
    response = operator_client.get(PAGE)
    assert response.status_code == 200
    assert rows(response) == {"1101": "RED", "1902": "ORANGE", "1903": "GREEN", "1404": "GREY"}
    html = response.content.decode()
    assert '<span class="sticker sticker-RED" title="RED: busy, 2 calls">2</span>' in html
    assert '<span class="sticker sticker-ORANGE" title="ORANGE: ringing, 1 call">1</span>' in html
    assert 'href="http://192.0.2.7/" target="_blank" rel="noopener noreferrer"' in html
    assert 'href="javascript' not in html  # an address that is no host gives no link at all
    assert '<span class="term term-dect ringing" data-terminal="2"' in html
    assert f'href="/monitoring/{people["dario"].pk}/diagnostics/">diag</a>' in html
    assert 'aria-pressed="false"' in html  # static by default
    assert 'data-load="/monitoring/counts/"' in html
    counts = operator_client.get("/monitoring/counts/").content.decode()
    assert [c for c in re.findall(r'data-count="(\w+)">(\d+)<', counts)] == [
        ("RED", "1"),
        ("ORANGE", "1"),
        ("GREEN", "1"),
        ("GREY", "1"),
    ]
    # department order, then surname
    assert list(rows(response)) == ["1404", "1101", "1902", "1903"]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("department=Support", {"1902", "1903"}),
        ("department=Support&department=Sales", {"1101", "1902", "1903"}),
        ("state=RED&state=GREY", {"1101", "1404"}),
        ("state=GREEN&department=Support", {"1903"}),
        ("q=conti", {"1903"}),
        ("q=support+bassi", {"1902"}),
        ("q=731", {"1101"}),  # the extension alone: in no username, name or department
    ],
)
def test_filters(operator_client, people, query, shown):
    response = operator_client.get(f"{PAGE}?{query}")
    assert response.status_code == 200
    assert set(rows(response)) == shown


@pytest.mark.parametrize(
    ("query", "named"),
    [("state=PURPLE", "state"), ("department=Nowhere", "department"), ("color=red", "color")],
)
def test_a_bad_filter_is_a_clear_error(operator_client, people, query, named):
    response = operator_client.get(f"{PAGE}?{query}")
    assert response.status_code == 400
    assert f"<strong>{named}</strong>" in response.content.decode()
    poll = operator_client.get(f"{CHANGES}?since=1&{query}")
    assert poll.status_code == 400 and poll.json()["errors"][0]["field"] == named


def test_the_poll_returns_only_what_changed_since_the_token(operator_client, people):
    token = token_of(operator_client.get(PAGE))
    quiet = operator_client.get(f"{CHANGES}?since={token}").json()
    assert quiet["rows"] == [] and quiet["hide"] == []
    since = timezone.now()
    TerminalStateFactory(account=people["dario"], calls_ringing=1)
    answer = operator_client.get(f"{CHANGES}?since={encode_token(since)}").json()
    assert [(row["id"], row["state"]) for row in answer["rows"]] == [(people["dario"].pk, "ORANGE")]
    assert answer["rows"][0]["html"].startswith(f'<tr data-account="{people["dario"].pk}"')
    assert int(answer["token"]) <= int(encode_token(timezone.now()))


def test_the_poll_sees_a_new_binding_and_a_binding_that_expired_with_no_write(operator_client, people):
    now = timezone.now()
    live_binding(people["dario"], now=now, expires_at=now + datetime.timedelta(seconds=1))
    answer = operator_client.get(f"{CHANGES}?since={encode_token(now - datetime.timedelta(seconds=1))}").json()
    assert {(row["id"], row["state"]) for row in answer["rows"]} == {(people["dario"].pk, "GREEN")}
    # the expiry passes: nothing is written, the next poll still reports the user, now GREY
    later = now + datetime.timedelta(seconds=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        expired = operator_client.get(f"{CHANGES}?since={encode_token(now + datetime.timedelta(milliseconds=500))}")
    assert {(row["id"], row["state"]) for row in expired.json()["rows"]} == {(people["dario"].pk, "GREY")}


def test_a_row_that_leaves_the_filter_is_hidden(operator_client, people):
    since = timezone.now()
    TerminalStateFactory(account=people["alice"], terminal=2, kind="usb", calls_active=0)  # still RED
    TerminalState.objects.filter(account=people["bruno"]).update(calls_ringing=0, updated_at=timezone.now())
    answer = operator_client.get(f"{CHANGES}?since={encode_token(since)}&state=RED&state=ORANGE").json()
    assert [row["id"] for row in answer["rows"]] == [people["alice"].pk]
    assert answer["hide"] == [people["bruno"].pk]


def test_a_token_from_before_a_long_outage_gets_every_row(operator_client, people):
    answer = operator_client.get(f"{CHANGES}?since=1").json()
    assert {row["id"] for row in answer["rows"]} == {person.pk for person in people.values()}


@pytest.mark.parametrize("since", ["", "abc", "-5", "1" * 30])
def test_a_bad_token_is_refused(operator_client, since):
    response = operator_client.get(f"{CHANGES}?since={since}")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "since"


def test_pages_need_the_view_right(client, django_user_model):
    from tests.conftest import login_quietly

    login_quietly(client, django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{CHANGES}?since=1").status_code == 403


def test_menu_entry_and_dashboard_card(operator_client, people):
    dashboard = operator_client.get("/").content.decode()
    assert '<a href="/monitoring/"' in dashboard and "User Monitoring" in dashboard
    card = dashboard.split("data-state-card")[1]
    assert re.findall(r'data-count="(\w+)">(\d+)<', card) == [
        ("RED", "1"),
        ("ORANGE", "1"),
        ("GREEN", "1"),
        ("GREY", "1"),
    ]


def test_pages_in_department_order_with_counts_of_the_whole_selection(operator_client, people, settings):
    settings.MONITORING_PAGE_SIZE = 2
    first = operator_client.get(PAGE)
    html = first.content.decode()
    assert list(rows(first)) == ["1404", "1101"]
    # the counts are those of every user selected (the filters, not the state nor the page)
    support = operator_client.get(f"{PAGE}?department=Support&state=RED").content.decode()
    assert 'data-load="/monitoring/counts/?department=Support&amp;state=RED"' in support
    counts = operator_client.get("/monitoring/counts/?state=RED&after=x").content.decode()
    assert re.findall(r'data-count="(\w+)">(\d+)<', counts) == [
        ("RED", "1"),
        ("ORANGE", "1"),
        ("GREEN", "1"),
        ("GREY", "1"),
    ]
    assert operator_client.get("/monitoring/counts/?state=PINK").status_code == 400
    assert 'rel="prev"' not in html and 'data-lower=""' in html
    following = re.search(r'href="\?after=([^"]+)" rel="next"', html).group(1)
    second = operator_client.get(f"{PAGE}?after={following}")
    assert list(rows(second)) == ["1902", "1903"]
    assert 'rel="next"' not in second.content.decode() and 'data-upper=""' in second.content.decode()
    before = re.search(r'href="\?before=([^"]+)" rel="prev"', second.content.decode()).group(1)
    assert list(rows(operator_client.get(f"{PAGE}?before={before}"))) == ["1404", "1101"]
    assert list(rows(operator_client.get(f"{PAGE}?page=last"))) == ["1902", "1903"]
    # the state filter runs before paging: a page is full of matching users
    assert list(rows(operator_client.get(f"{PAGE}?state=ORANGE&state=GREEN&state=GREY"))) == ["1404", "1902"]


def test_the_poll_looks_at_its_page_range_only(operator_client, people, settings):
    settings.MONITORING_PAGE_SIZE = 2
    html = operator_client.get(PAGE).content.decode()
    upper = re.search(r'data-upper="([^"]+)"', html).group(1)
    since = timezone.now()
    TerminalStateFactory(account=people["dario"], calls_ringing=1)  # on page 1
    TerminalStateFactory(account=people["carla"], calls_active=1)  # on page 2
    page_one = operator_client.get(f"{CHANGES}?since={encode_token(since)}&upper={upper}").json()
    assert [row["id"] for row in page_one["rows"]] == [people["dario"].pk]
    page_two = operator_client.get(f"{CHANGES}?since={encode_token(since)}&lower={upper}").json()
    # the lower bound is inclusive: the last row of page 1 is also looked at from page 2
    assert [row["id"] for row in page_two["rows"]] == [people["carla"].pk]
    assert "counts" not in page_two
    counted = operator_client.get(f"{CHANGES}?since={encode_token(since)}&counts=1&department=Support").json()
    assert counted["counts"] == {"RED": 1, "ORANGE": 1, "GREEN": 0, "GREY": 0}


# a key PostgreSQL cannot compare (a NUL) and one json cannot read (nested past the recursion limit)
NUL_KEY = encode_key(("\x00", "", "", ""))
DEEP = base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode().rstrip("=")


@pytest.mark.parametrize("token", ["abc", "!!", "WyJhIl0", NUL_KEY, DEEP])
def test_a_damaged_page_link_is_a_clear_error(operator_client, people, token):
    for name in ("after", "before"):
        response = operator_client.get(f"{PAGE}?{name}={token}")
        assert response.status_code == 400
        assert f"<strong>{name}</strong>: the page link is damaged" in response.content.decode()
    for name in ("lower", "upper"):
        poll = operator_client.get(f"{CHANGES}?since=1&{name}={token}")
        assert poll.status_code == 400 and poll.json()["errors"][0]["field"] == name


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("department=%00", "department"),
        ("department=Sales&department=Sa%00les", "department"),
        ("q=ali%00", "q"),
        ("state=RED%00", "state"),
        ("after=%00", "after"),
    ],
)
def test_a_nul_in_the_query_is_a_clear_error_naming_the_parameter(operator_client, people, query, named):
    """PostgreSQL refuses a NUL in text: every way in says so instead of failing with a 500."""
    page = operator_client.get(f"{PAGE}?{query}")
    assert page.status_code == 400
    assert f"<strong>{named}</strong>: Null characters are not allowed." in page.content.decode()
    poll = operator_client.get(f"{CHANGES}?since=1&{query}")
    assert poll.status_code == 400
    assert poll.json()["errors"] == [{"field": named, "message": "Null characters are not allowed."}]
    if named != "after":
        counts = operator_client.get(f"/monitoring/counts/?{query}")
        assert counts.status_code == 400
        assert f"<strong>{named}</strong>: Null characters are not allowed." in counts.content.decode()
