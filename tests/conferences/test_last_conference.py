"""Seed 001 "Events that update device information": Conference end sets Last Conf Name, the
newest end winning; a guest's session ending empties the Logged User (the guest left)."""

import pytest

from conferences.models import Endpoint

pytestmark = pytest.mark.django_db

URL = "/api/v1/conference-events/"


def ev(key: str, kind: str, minute: int, **fields) -> dict:
    return {"event_id": key, "timestamp": f"2026-11-20T10:{minute:02d}:00+00:00", "type": kind, **fields}


def session(key: str, title: str, start: int, end: int, participant: str = "anna", endpoint: str = "ep-1") -> list:
    return [
        ev(f"{key}-start", "session_started", start, session_id=key, title=title, owner="anna"),
        ev(f"{key}-join", "participant_joined", start, session_id=key, participant=participant, endpoint_id=endpoint),
        ev(f"{key}-end", "session_ended", end, session_id=key),
    ]


def last_conference(endpoint: str = "ep-1") -> str:
    return Endpoint.objects.get(endpoint_id=endpoint).last_conference


@pytest.mark.parametrize("order", [("early", "late"), ("late", "early")])
def test_two_ends_in_one_batch_the_newest_wins(ingest_api, order):
    parts = {"early": session("S-early", "Morning stand-up", 0, 10), "late": session("S-late", "Design review", 5, 40)}
    batch = parts[order[0]] + parts[order[1]]
    assert ingest_api.post(URL, batch, format="json").status_code == 201
    assert last_conference() == "Design review"


def test_an_older_end_arriving_late_does_not_win(ingest_api):
    early = session("S-early", "Morning stand-up", 0, 10)
    late = session("S-late", "Design review", 15, 40)
    assert ingest_api.post(URL, early[:2] + late, format="json").status_code == 201
    assert last_conference() == "Design review"
    assert ingest_api.post(URL, early[2:], format="json").status_code == 201  # the stand-up's end, late
    assert last_conference() == "Design review"
    endpoint = Endpoint.objects.get(endpoint_id="ep-1")
    assert endpoint.last_conference_at.isoformat() == "2026-11-20T10:40:00+00:00"


def test_a_point_to_point_call_ending_later_is_named_no_title(ingest_api):
    batch = session("S-conf", "Design review", 0, 10) + session("S-call", "", 12, 20)
    assert ingest_api.post(URL, batch, format="json").status_code == 201
    assert last_conference() == "(no title)"


def test_a_guest_whose_session_ended_is_no_longer_the_logged_user(ingest_api):
    batch = session("S-web", "Webinar", 0, 30, participant="#guest:7", endpoint="web-7")
    assert ingest_api.post(URL, batch, format="json").status_code == 201
    endpoint = Endpoint.objects.get(endpoint_id="web-7")
    assert (endpoint.logged_user, endpoint.username, endpoint.last_conference) == ("", "#guest:7", "Webinar")


def test_a_user_stays_logged_in_after_the_end(ingest_api):
    assert ingest_api.post(URL, session("S-1", "Design review", 0, 30), format="json").status_code == 201
    assert Endpoint.objects.get(endpoint_id="ep-1").logged_user == "anna"


def test_a_guest_seen_again_after_the_end_stays(ingest_api):
    first = session("S-a", "Webinar", 0, 10, participant="#guest:7", endpoint="web-7")
    again = ev("S-b-join", "participant_joined", 20, session_id="S-b", participant="#guest:7", endpoint_id="web-7")
    assert ingest_api.post(URL, [*first[:2], again], format="json").status_code == 201
    assert ingest_api.post(URL, first[2:], format="json").status_code == 201  # S-a's end arrives late
    assert Endpoint.objects.get(endpoint_id="web-7").logged_user == "#guest:7"
