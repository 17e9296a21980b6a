"""Seeds 003/004 "GUI of the active user": the user's own client (UC / softphone GUI) is a terminal
kind, pushed as `gui`, drawn with its own icon and hover, and counted by the state rules."""

import datetime

import pytest
from django.utils import timezone

from monitoring.models import TerminalState
from monitoring.rules import State, Terminal, user_state
from monitoring.selectors import state_counts, user_rows
from registrations.models import Account
from tests.monitoring.factories import TerminalStateFactory
from tests.registrations.factories import AccountFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/terminal-states/"


def push(client, event_id: str, **fields):
    item = {
        "event_id": event_id,
        "timestamp": "2026-11-20T10:00:00+00:00",
        "username": "1932",
        "terminal": 3,
        "kind": "GUI",
        "registered": True,
        "address": "pc-1932.office.lan",
        "model": "UC desktop client 8.5",
        **fields,
    }
    return client.post(URL, [item], format="json")


def test_the_api_takes_gui_as_a_terminal_kind(ingest_client):
    response = push(ingest_client, "g1")
    assert response.status_code == 201, response.json()
    state = TerminalState.objects.get()
    assert (state.kind, state.terminal, state.registered) == ("gui", 3, True)
    listed = ingest_client.get("/api/v1/monitoring/").json()["results"]
    assert [(t["kind"], t["url"]) for t in listed[0]["terminals"]] == [("gui", None)]  # no web interface


def test_an_active_gui_alone_makes_the_user_green_and_its_calls_count(ingest_client):
    push(ingest_client, "g1")
    account = Account.objects.get(username="1932")
    assert user_rows(Account.objects.filter(pk=account.pk))[0].state == State.GREEN
    assert state_counts(Account.objects.filter(pk=account.pk))[State.GREEN] == 1
    push(ingest_client, "g2", timestamp="2026-11-20T10:01:00+00:00", calls_active=1)
    row = user_rows(Account.objects.filter(pk=account.pk))[0]
    assert (row.state, row.calls) == (State.RED, 1)
    push(ingest_client, "g3", timestamp="2026-11-20T10:02:00+00:00", registered=False, calls_active=0)
    assert user_rows(Account.objects.filter(pk=account.pk))[0].state == State.GREY
    assert state_counts(Account.objects.filter(pk=account.pk))[State.GREY] == 1


def test_user_state_counts_a_ringing_gui():
    gui = Terminal(slot=3, kind="gui", registered=True, calls_ringing=2)
    assert user_state([gui, Terminal(slot=1, kind="sip", registered=False)]) == (State.ORANGE, 2)


def test_the_page_draws_the_gui_icon_with_its_hover(client, operator):
    account = AccountFactory(username="1932", mobile="")
    TerminalStateFactory(
        account=account,
        terminal=3,
        kind="gui",
        registered=True,
        address="pc-1932.office.lan",
        model="UC desktop client 8.5",
        timestamp=timezone.now() - datetime.timedelta(minutes=1),
    )
    client.force_login(operator)
    html = client.get("/monitoring/").content.decode()
    assert '<symbol id="term-gui"' in html
    assert 'class="term term-gui on" data-terminal="3"' in html
    assert "GUI of the active user · terminal 3" in html
    assert "Client: UC desktop client 8.5" in html and "Active: yes" in html
    assert 'href="http://pc-1932' not in html  # a client GUI has no device web interface
