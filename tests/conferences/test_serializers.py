"""Conference events and uploads the console could not hold or show are refused with a 400 naming
index and field: text the database refuses, a session id that is one of the report's own pages, a
time without an offset."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conferences.models import ChatMessage, ConferenceEvent, ConferenceSession, Endpoint, Recording
from tests.conferences.factories import SessionFactory, wav_bytes
from tests.conferences.test_ingest import URL, ev, meeting

pytestmark = pytest.mark.django_db


def post(client, items: list[dict]):
    """The body as a client sends it: JSON with every non-ASCII character escaped (even a lone surrogate)."""
    return client.post(URL, json.dumps(items), content_type="application/json")


def upload_recording(client, **fields):
    data = {"file": SimpleUploadedFile("a.wav", wav_bytes()), **fields}
    return client.post("/api/v1/recordings/", data, format="multipart")


def endpoint_info(**fields) -> dict:
    return ev(1, "endpoint_info", 0, endpoint_id="ep-1", **fields)


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (endpoint_info(network_test=[1, 2]), "network_test"),  # the README says objects
        (endpoint_info(system_info="Windows"), "system_info"),
        (endpoint_info(network_test={"rtt": "12\x00ms"}), "network_test"),
        (endpoint_info(system_info={"gpu\x00": 1}), "system_info"),
        (endpoint_info(system_info={"gpus": [{"name": "ok"}, {"name": "\ud800"}]}), "system_info"),
        (ev(1, "chat_message", 0, session_id="S1", message_id="m9", sender="anna", text="hi\x00"), "text"),
        (ev(1, "session_started", 0, session_id="S9", owner="anna", title="Q\x004"), "title"),
        (
            ev(1, "participant_joined", 0, session_id="S9", participant="x", endpoint_id="e", display_name="\x00"),
            "display_name",
        ),
        (
            ev(
                1,
                "participant_left",
                0,
                session_id="S9",
                participant="x",
                endpoint_id="e",
                media={"audio_codec": "op\x00us"},
            ),
            "media.audio_codec",
        ),
        (ev(1, "invitation", 0, session_id="S9", inviter="anna\x00", invitee="bob"), "inviter"),
        (ev(1, "endpoint_info", 0, endpoint_id="ep\x00"), "endpoint_id"),
        ({**endpoint_info(), "event_id": "e\x001"}, "event_id"),
    ],
)
def test_text_the_database_refuses_is_a_400_naming_index_and_field(ingest_api, item, field):
    response = post(ingest_api, [meeting()[0], item])
    assert response.status_code == 400, response.content
    assert {(error["index"], error["field"]) for error in response.json()["errors"]} == {(1, field)}
    assert not ConferenceEvent.objects.exists() and not Endpoint.objects.exists()


def test_the_message_names_where_in_the_object_the_nul_is(ingest_api):
    item = endpoint_info(system_info={"os": {"build": "22631\x00"}})
    [error] = post(ingest_api, [item]).json()["errors"]
    assert error["field"] == "system_info" and "'os.build'" in error["message"] and "NUL" in error["message"]


def test_objects_of_any_depth_and_script_are_kept(ingest_api):
    info = {"gpus": [{"name": "Intel® Iris Xe", "driver": "31.0"}], "locale": "日本語", "ram_gb": 16}
    response = post(ingest_api, [endpoint_info(system_info=info, network_test={"rtt_ms": 21.5})])
    assert response.status_code == 201, response.json()
    endpoint = Endpoint.objects.get(endpoint_id="ep-1")
    assert endpoint.system_info == info and endpoint.network_test == {"rtt_ms": 21.5}
    assert not ChatMessage.objects.exists()


@pytest.mark.parametrize("session_id", ["delete", "export.csv", ".", ".."])
def test_a_session_id_that_is_one_of_the_reports_own_pages_is_refused(ingest_api, operator_client, session_id):
    """/conferences/delete/ is the filtered delete, not that session's page: such an id is a 400."""
    started = ev(1, "session_started", 0, session_id=session_id, owner="anna")
    joined = ev(2, "participant_joined", 1, session_id=session_id, participant="bob", endpoint_id="ep-bob")
    response = post(ingest_api, [meeting()[0], started, joined])
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {(error["index"], error["field"]) for error in errors} == {(1, "session_id"), (2, "session_id")}
    assert "reserved" in errors[0]["message"]
    assert not ConferenceSession.objects.exists() and not ConferenceEvent.objects.exists()
    uploaded = upload_recording(ingest_api, session_id=session_id)
    assert uploaded.status_code == 400 and uploaded.json()["errors"][0]["field"] == "session_id"


def test_ids_that_merely_look_like_the_reports_pages_are_sessions(ingest_api, operator_client):
    for n, session_id in enumerate(["Delete", "delete.csv", "export.csv.1", "..."]):
        response = post(ingest_api, [ev(n, "session_started", 0, session_id=session_id, owner="anna")])
        assert response.status_code == 201, response.content
        assert operator_client.get(f"/conferences/{session_id}/").status_code == 200, session_id


@pytest.mark.parametrize("created_at", ["2026-11-20T10:00:00", "2026-11-20 10:00"])
def test_an_upload_time_without_an_offset_is_refused(ingest_api, created_at):
    SessionFactory(session_id="S1")
    response = upload_recording(ingest_api, session_id="S1", created_at=created_at)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "created_at" and "offset" in error["message"]
    assert not Recording.objects.exists()


def test_an_upload_time_with_an_offset_is_kept_in_utc(ingest_api):
    SessionFactory(session_id="S1")
    response = upload_recording(ingest_api, session_id="S1", created_at="2026-11-20T10:00:00+01:00")
    assert response.status_code == 201, response.content
    assert Recording.objects.get().created_at.isoformat() == "2026-11-20T09:00:00+00:00"
