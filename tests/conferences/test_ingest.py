"""POST /api/v1/conference-events/: sessions, connections, invitations, chat, endpoints; once each."""

import pytest

from audit.models import ServerEvent
from conferences.models import (
    ChatMessage,
    Conference,
    ConferenceEvent,
    ConferenceSession,
    DisplayNameChange,
    Endpoint,
    Invitation,
    Participation,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/conference-events/"


def ev(n: int, kind: str, minute: int, **fields) -> dict:
    return {"event_id": f"e{n}", "timestamp": f"2026-11-20T10:{minute:02d}:00+01:00", "type": kind, **fields}


def meeting(session: str = "S1") -> list[dict]:
    """A conference: owner anna, carla joins twice, a webclient guest comes back under a new name."""
    return [
        ev(1, "session_started", 0, session_id=session, conference_id="room-7", title="Design review", owner="anna"),
        ev(
            2,
            "endpoint_info",
            0,
            endpoint_id="ep-anna",
            username="anna",
            application="TrueConf Desktop",
            version="8.5.2",
            os="Windows 11",
            cpu="Intel i7",
            ip="10.0.0.5",
        ),
        ev(
            3,
            "participant_joined",
            1,
            session_id=session,
            participant="anna",
            display_name="Anna",
            endpoint_id="ep-anna",
        ),
        ev(4, "invitation", 1, session_id=session, inviter="video.example.com", invitee="carla", accepted=True),
        ev(
            5,
            "participant_joined",
            2,
            session_id=session,
            participant="carla",
            display_name="Carla Devine",
            endpoint_id="ep-carla",
        ),
        ev(
            6,
            "participant_left",
            10,
            session_id=session,
            participant="carla",
            endpoint_id="ep-carla",
            media={"packet_loss_pct": 1.5, "jitter_ms": 12},
        ),
        ev(
            7,
            "participant_joined",
            12,
            session_id=session,
            participant="carla",
            display_name="Carla Devine",
            endpoint_id="ep-carla",
        ),
        ev(
            8,
            "participant_joined",
            13,
            session_id=session,
            participant="#guest:a1",
            display_name="Visitor",
            endpoint_id="web-1",
        ),
        ev(9, "participant_left", 14, session_id=session, participant="#guest:a1", endpoint_id="web-1"),
        ev(
            10,
            "participant_joined",
            15,
            session_id=session,
            participant="#guest:a2",
            display_name="Dan from ACME",
            endpoint_id="web-1",
        ),
        ev(11, "invitation", 16, session_id=session, inviter="anna", invitee="erik", accepted=False),
        ev(12, "chat_message", 17, session_id=session, message_id="m1", sender="anna", text="hello all"),
        ev(13, "chat_message", 18, message_id="m2", sender="anna", recipient="carla", text="personal"),
        ev(14, "session_ended", 30, session_id=session, media={"bitrate_kbps": 1800}),
    ]


def test_a_meeting_is_stored_with_every_part(ingest_api):
    response = ingest_api.post(URL, meeting(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"received": 14, "created": 14, "unchanged": 0}

    session = ConferenceSession.objects.get(pk="S1")
    assert (session.title, session.owner, session.conference_id) == ("Design review", "anna", "room-7")
    assert session.started_at.isoformat() == "2026-11-20T09:00:00+00:00"
    assert session.ended_at.isoformat() == "2026-11-20T09:30:00+00:00"
    assert Conference.objects.get().title == "Design review"
    # anna, carla (twice) and one guest on one browser (twice, two names): 3 people, 5 connections
    assert (session.participant_count, session.connection_count) == (3, 5)
    carla = Participation.objects.filter(session=session, participant="carla").order_by("joined_at")
    assert [row.left_at.minute for row in carla] == [10, 30]  # the open one closes at the end
    assert carla[0].media == {"packet_loss_pct": 1.5, "jitter_ms": 12.0}
    rename = DisplayNameChange.objects.get()
    assert (rename.old_name, rename.new_name) == ("Visitor", "Dan from ACME")
    assert session.media == {"bitrate_kbps": 1800.0}

    invitations = {row.invitee: row for row in Invitation.objects.all()}
    assert invitations["carla"].inviter_kind == "server" and invitations["carla"].accepted is True
    assert invitations["erik"].inviter_kind == "user" and invitations["erik"].accepted is False
    assert ChatMessage.objects.get(message_id="m1").recipient is None
    assert ChatMessage.objects.get(message_id="m2").session is None

    anna = Endpoint.objects.get(endpoint_id="ep-anna")
    assert (anna.application, anna.version, anna.os, anna.cpu, anna.ip) == (
        "TrueConf Desktop",
        "8.5.2",
        "Windows 11",
        "Intel i7",
        "10.0.0.5",
    )
    assert anna.last_conference == "Design review"
    web = Endpoint.objects.get(endpoint_id="web-1")
    # the guest's session ended: nobody is logged in on that browser any more (seed 001)
    assert web.logged_user == "" and web.username == "#guest:a2"


def test_joins_and_leaves_write_status_events(ingest_api):
    ingest_api.post(URL, meeting(), format="json")
    statuses = ServerEvent.objects.filter(event_type="status").order_by("time", "id")
    seen = [(row.username, row.previous_status, row.new_status) for row in statuses]
    assert seen[:2] == [("anna", 1, 5), ("carla", 1, 2)]  # the owner is 5, a participant 2
    assert ("carla", 2, 1) in seen
    assert all(not name.startswith("#guest") for name, _, _ in seen)  # guests have no user status
    assert seen[-2:] == [("anna", 5, 1), ("carla", 2, 1)]  # closed by the session's end
    first = statuses.first()
    assert first.endpoint_id == "ep-anna" and first.application == "TrueConf Desktop" and first.ip == "10.0.0.5"


def test_posting_again_changes_nothing(ingest_api):
    ingest_api.post(URL, meeting(), format="json")
    before = {model: model.objects.count() for model in (Participation, ServerEvent, ChatMessage, Invitation)}
    again = ingest_api.post(URL, meeting(), format="json")
    assert again.json() == {"received": 14, "created": 0, "unchanged": 14}
    assert {model: model.objects.count() for model in before} == before
    assert ConferenceSession.objects.get().connection_count == 5


def outcome(session_id: str) -> dict:
    """What ingest made of a session: its connections, name changes and user status events."""
    rows = Participation.objects.filter(session_id=session_id)
    renames = DisplayNameChange.objects.filter(session_id=session_id)
    statuses = ServerEvent.objects.filter(event_type="status", description__endswith=f" {session_id}")
    return {
        "connections": sorted(
            (row.participant, row.display_name, row.joined_at, row.left_at, row.leave_event_id.removeprefix("ref-"))
            for row in rows
        ),
        "renames": sorted((row.participation.joined_at, row.old_name, row.new_name, row.time) for row in renames),
        "statuses": sorted((row.username, row.previous_status, row.new_status, row.time) for row in statuses),
    }


def in_order_outcome(ingest_api) -> dict:
    """The reference: the whole meeting in one batch, as session S0 (own event and message ids)."""
    events = [{**item, "event_id": f"ref-{item['event_id']}"} for item in meeting("S0")]
    for item in events:
        if "message_id" in item:
            item["message_id"] = f"ref-{item['message_id']}"
    assert ingest_api.post(URL, events, format="json").status_code == 201
    return outcome("S0")


CUTS = {
    "audit": lambda events: [events[9:], events[:4], events[4:9]],
    # after the start: a join before it cannot know the owner, so its status event says busy (2), not 5
    "one by one backwards": lambda events: [[events[0]], *([item] for item in reversed(events[1:]))],
    "joins after the end": lambda events: [events[12:], events[:12]],
}


@pytest.mark.parametrize("cut", CUTS.values(), ids=CUTS.keys())
def test_a_batch_cut_anywhere_and_out_of_order_gives_the_same_result(ingest_api, cut):
    expected = in_order_outcome(ingest_api)
    for part in cut(meeting()):
        assert ingest_api.post(URL, part, format="json").status_code == 201
    session = ConferenceSession.objects.get(pk="S1")
    assert session.started_at.minute == 0 and session.title == "Design review"
    assert (session.participant_count, session.connection_count) == (3, 5)
    got = outcome("S1")
    assert got["connections"] == expected["connections"]  # every join and leave time, nothing left open
    assert all(left is not None for _, _, _, left, _ in got["connections"])
    assert [(old, new) for _, old, new, _ in got["renames"]] == [("Visitor", "Dan from ACME")]
    assert got["renames"] == expected["renames"]
    assert got["statuses"] == expected["statuses"]  # carla and anna back to 1 at the end, as in order


def test_a_leave_after_the_end_moves_the_close_back_to_the_leave(ingest_api):
    expected = in_order_outcome(ingest_api)
    events = meeting()
    for part in (events[:5], events[13:], events[5:13]):  # carla's first leave comes after the end
        assert ingest_api.post(URL, part, format="json").status_code == 201
    got = outcome("S1")
    assert got["connections"] == expected["connections"]
    assert ConferenceSession.objects.get(pk="S1").connection_count == 5
    # the end already set carla back to 1; the late leave adds no second status event
    assert len(got["statuses"]) == len(expected["statuses"])


def test_each_start_of_the_same_conference_is_its_own_session(ingest_api):
    ingest_api.post(URL, meeting("S1"), format="json")
    second = [
        {**item, "event_id": f"b-{item['event_id']}", "message_id": f"b-{item.get('message_id')}"}
        for item in meeting("S2")
    ]
    ingest_api.post(URL, second, format="json")
    assert set(ConferenceSession.objects.filter(conference_id="room-7").values_list("pk", flat=True)) == {"S1", "S2"}
    assert Conference.objects.count() == 1


def test_a_repeated_event_inside_one_batch_is_applied_once(ingest_api):
    events = meeting()[:3]
    response = ingest_api.post(URL, [*events, events[2]], format="json")
    assert response.json()["created"] == 3
    assert Participation.objects.count() == 1


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (ev(1, "session_started", 0, session_id="S9"), "owner"),
        (ev(1, "participant_joined", 0, session_id="S9", participant="x"), "endpoint_id"),
        (ev(1, "chat_message", 0, message_id="m", sender="a", text="t"), "recipient"),
        (ev(1, "session_ended", 0, session_id="a/b"), "session_id"),
        (ev(1, "endpoint_info", 0, endpoint_id="e", ip="999.1.1.1"), "ip"),
        (
            ev(
                1,
                "participant_left",
                0,
                session_id="S",
                participant="x",
                endpoint_id="e",
                media={"packet_loss_pct": 140},
            ),
            "media.packet_loss_pct",
        ),
        (ev(1, "teleport", 0, session_id="S"), "type"),
    ],
)
def test_a_bad_item_rejects_the_whole_batch(ingest_api, item, field):
    good = meeting()[0]
    response = ingest_api.post(URL, [good, item], format="json")
    assert response.status_code == 400
    assert {(error["index"], error["field"]) for error in response.json()["errors"]} == {(1, field)}
    assert not ConferenceEvent.objects.exists() and not ConferenceSession.objects.exists()


def test_reading_back_needs_no_ingest_right(operator_client, ingest_api):
    ingest_api.post(URL, meeting(), format="json")
    listed = operator_client.get("/api/v1/conferences/?owner=anna")
    assert listed.status_code == 200
    assert [row["session_id"] for row in listed.json()["results"]] == ["S1"]
    assert operator_client.post(URL, meeting(), content_type="application/json").status_code == 403
