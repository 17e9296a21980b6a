"""/conferences/: the call history list and a session's detail page."""

import datetime
import re

import pytest
from django.utils.html import escape

from conferences.models import DisplayNameChange, Invitation
from registrations.models import Account
from tests.conferences.factories import (
    T0,
    ChatMessageFactory,
    EndpointFactory,
    ParticipationFactory,
    RecordingFactory,
    SessionFactory,
    SharedFileFactory,
)

pytestmark = pytest.mark.django_db


def shown(response) -> list[str]:
    return re.findall(r'data-pk="([^"]+)"', response.content.decode())


def test_running_sessions_are_listed_with_a_blank_end(operator_client):
    ended = SessionFactory(session_id="S-old", started_at=T0)
    running = SessionFactory(session_id="S-now", started_at=T0 + datetime.timedelta(hours=1), ended_at=None)
    response = operator_client.get("/conferences/")
    assert response.status_code == 200
    assert shown(response) == [running.pk, ended.pk]
    row = response.content.decode().split(f'data-pk="{running.pk}"')[1].split("</tr>")[0]
    assert 'class="empty" title="running"' in row
    assert shown(operator_client.get("/conferences/?running=true")) == ["S-now"]


def test_point_to_point_calls_have_no_title(operator_client):
    SessionFactory(session_id="P2P", title="")
    page = operator_client.get("/conferences/").content.decode()
    assert "(no title)" in page
    assert shown(operator_client.get("/conferences/?name=no+title")) == ["P2P"]


def test_links_to_session_owner_and_parent_conference(operator_client):
    from conferences.models import Conference

    room = Conference.objects.create(conference_id="room-7", title="Weekly room")
    SessionFactory(session_id="S1", conference=room, owner="nobody-known")
    SessionFactory(session_id="S2", conference=room)
    SessionFactory(session_id="S3")
    page = operator_client.get("/conferences/").content.decode()
    assert 'href="/conferences/S1/"' in page
    assert 'href="/conferences/?conference=room-7"' in page
    # no account, or no profile page yet: the owner links to their history
    assert 'href="/conferences/?owner=nobody-known"' in page
    assert shown(operator_client.get("/conferences/?conference=room-7")) == ["S2", "S1"]


@pytest.mark.urls("tests.conferences.profile_urls")
def test_an_owner_with_an_account_links_to_the_profile(operator_client):
    account = Account.objects.create(username="anna")
    SessionFactory(session_id="S1", owner="anna")
    page = operator_client.get("/conferences/").content.decode()
    assert f'href="/accounts/{account.pk}/"' in page
    detail = operator_client.get("/conferences/S1/").content.decode()
    assert f'href="/accounts/{account.pk}/" data-owner' in detail


def test_participants_column_counts_people_not_connections(operator_client, ingest_api):
    from tests.conferences.test_ingest import meeting

    ingest_api.post("/api/v1/conference-events/", meeting(), format="json")
    page = operator_client.get("/conferences/").content.decode()
    row = page.split('data-pk="S1"')[1].split("</tr>")[0]
    assert re.findall(r'<td class="number"[^>]*>(\d+)</td>', row) == ["3"]
    assert shown(operator_client.get("/conferences/?participant=carla")) == ["S1"]
    assert shown(operator_client.get("/conferences/?participant=zoe")) == []


def test_session_detail_shows_everything_that_happened(operator_client, ingest_api):
    from tests.conferences.test_ingest import meeting

    ingest_api.post("/api/v1/conference-events/", meeting(), format="json")
    SharedFileFactory(session_id="S1", original_name="agenda <draft>.txt")
    recording = RecordingFactory(session_id="S1")
    response = operator_client.get("/conferences/S1/")
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"data-distinct>3<.*data-connections>5<", page, re.S)
    assert page.count("data-participation=") == 5
    assert "renamed from “Visitor” to “Dan from ACME”" in page
    assert page.count("data-invitation-kind=") == 2
    assert 'data-invitation-kind="server"' in page and "accepted" in page and "rejected" in page
    assert escape("agenda <draft>.txt") in page and "/conferences/files/" in page
    assert "/delete/" not in page  # an operator gets no file Delete form
    assert f"/recordings/{recording.pk}/" in page
    assert "hello all" in page and "personal" not in page  # the conference chat only
    assert 'href="/chat/?session=S1"' in page
    endpoint = DisplayNameChange.objects.get().participation.endpoint
    assert f'href="/endpoints/{endpoint.pk}/" data-connection-link' in page
    assert "Packet loss, %" in page and "1800" in page


@pytest.mark.urls("tests.conferences.profile_urls")
def test_session_page_shows_connection_times_and_links_people_to_profiles(operator_client, ingest_api):
    from tests.conferences.test_ingest import meeting

    ingest_api.post("/api/v1/conference-events/", meeting(), format="json")
    accounts = {name: Account.objects.create(username=name).pk for name in ("anna", "carla", "erik")}
    page = operator_client.get("/conferences/S1/").content.decode()
    rows = re.findall(r"<tr data-participation=\"\d+\">(.*?)</tr>", page, re.S)
    seen = [
        (re.search(r"<td>\s*(.*?)\s*<div", row, re.S)[1], re.findall(r'<td class="time">(.*?)</td>', row))
        for row in rows
    ]
    anna, carla = (f'<a href="/accounts/{accounts[name]}/">' for name in ("anna", "carla"))
    assert seen == [  # in join order, times in the viewer's zone (UTC); the session's end closes the rest
        (f"{anna}Anna</a>", ["2026-11-20 09:01:00", "2026-11-20 09:30:00"]),
        (f"{carla}Carla Devine</a>", ["2026-11-20 09:02:00", "2026-11-20 09:10:00"]),
        (f"{carla}Carla Devine</a>", ["2026-11-20 09:12:00", "2026-11-20 09:30:00"]),
        ("Visitor", ["2026-11-20 09:13:00", "2026-11-20 09:14:00"]),  # a guest has no profile
        ("Dan from ACME", ["2026-11-20 09:15:00", "2026-11-20 09:30:00"]),
    ]
    invitations = dict(re.findall(r'<tr data-invitation-kind="(\w+)">(.*?)</tr>', page, re.S))
    assert set(invitations) == {"server", "user"}
    assert f'<td><a href="/accounts/{accounts["carla"]}/">carla</a></td>' in invitations["server"]
    user_row = invitations["user"]  # anna invited erik during the conference; both link to their profiles
    assert f'<td><a href="/accounts/{accounts["anna"]}/">anna</a></td>' in user_row
    assert f'<td><a href="/accounts/{accounts["erik"]}/">erik</a></td>' in user_row
    assert "rejected" in user_row


def test_self_joined_participants_are_not_in_the_invite_list(operator_client):
    session = SessionFactory(session_id="S1")
    Invitation.objects.create(event_id="i1", session=session, time=T0, inviter="", inviter_kind="none", invitee="x")
    page = operator_client.get("/conferences/S1/").content.decode()
    assert "data-invitation-kind" not in page


def test_detail_panel_and_api_detail(operator_client):
    session = SessionFactory(session_id="S1")
    ParticipationFactory(session=session, endpoint=EndpointFactory())
    ChatMessageFactory(session=session, text="in the panel too")
    panel = operator_client.get("/conferences/S1/?panel=1")
    assert panel.status_code == 200
    assert b"<html" not in panel.content and b"in the panel too" in panel.content
    assert operator_client.get("/conferences/nope/").status_code == 404
    assert operator_client.get("/api/v1/conferences/S1/").json()["session_id"] == "S1"
    SessionFactory(session_id="7@video.example.test")
    assert operator_client.get("/api/v1/conference-events/7@video.example.test/").status_code == 200


def test_export_names_point_to_point_calls(support_client):
    SessionFactory(session_id="P2P", title="")
    content = b"".join(support_client.get("/conferences/export.csv").streaming_content).decode()
    assert "(no title)" in content and "P2P" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [("q=weekly anna", ["S2", "S1"]), ("q=room-7", ["S1"]), ("q=zoe", ["S3"]), ("running=false&owner=zoe", ["S3"])],
)
def test_quick_search_and_filters(operator_client, query, expected):
    from conferences.models import Conference

    room = Conference.objects.create(conference_id="room-7", title="Weekly room")
    SessionFactory(session_id="S1", conference=room, title="Weekly sync")
    SessionFactory(session_id="S2", title="Weekly sync")
    SessionFactory(session_id="S3", title="Budget", owner="zoe")
    assert shown(operator_client.get(f"/conferences/?{query}")) == expected


def test_recordings_quick_search(operator_client):
    RecordingFactory(session=SessionFactory(session_id="P1", title=""), original_name="call.wav")
    RecordingFactory(session=SessionFactory(session_id="G1", title="Board"), original_name="board.wav")
    page = operator_client.get("/recordings/?q=no+title").content.decode()
    assert "call.wav" in page and "board.wav" not in page
