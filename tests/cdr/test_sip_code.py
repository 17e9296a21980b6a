"""`sip_code` on CDRs: the mapping to a disposition, the API's rules and what the report shows."""

import pytest

from cdr.models import Cdr
from cdr.services.sip_code import disposition_for_sip_code
from tests.cdr.test_api import item

URL = "/api/v1/cdrs/"


@pytest.mark.parametrize(
    ("code", "disposition"),
    [
        (200, "ANSWERED"),
        (202, "ANSWERED"),
        (299, "ANSWERED"),
        (486, "BUSY"),
        (600, "BUSY"),
        (408, "NO_ANSWER"),
        (480, "NO_ANSWER"),
        (487, "NO_ANSWER"),
        (183, "FAILED"),
        (404, "FAILED"),
        (500, "FAILED"),
        (503, "FAILED"),
        (603, "FAILED"),
    ],
)
def test_the_mapping(code, disposition):
    assert disposition_for_sip_code(code) == disposition


@pytest.mark.django_db
def test_a_code_alone_derives_the_disposition_and_a_given_disposition_wins(ingest_client):
    body = [
        {**item(uniqueid="k-1"), "disposition": "", "sip_code": 486},
        {key: value for key, value in item(uniqueid="k-2").items() if key != "disposition"} | {"sip_code": 487},
        {**item(uniqueid="k-3"), "disposition": "ANSWERED", "sip_code": 503},
        item(uniqueid="k-4"),
    ]
    response = ingest_client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    rows = Cdr.objects.values_list("uniqueid", "disposition", "disposition_source", "sip_code")
    stored = {row[0]: row[1:] for row in rows}
    assert stored == {
        "k-1": ("BUSY", "SIP 486", 486),
        "k-2": ("NO_ANSWER", "SIP 487", 487),
        "k-3": ("ANSWERED", "ANSWERED", 503),
        "k-4": ("ANSWERED", "ANSWERED", None),
    }


@pytest.mark.django_db
def test_bad_codes_and_a_missing_disposition_are_refused_naming_the_field(ingest_client):
    body = [
        {key: value for key, value in item(uniqueid="b-1").items() if key != "disposition"},
        {**item(uniqueid="b-2"), "sip_code": 99},
        {**item(uniqueid="b-3"), "sip_code": 700},
        {**item(uniqueid="b-4"), "sip_code": "486x"},
        item(uniqueid="x" * 151),
    ]
    response = ingest_client.post(URL, body, format="json")
    assert response.status_code == 400
    errors = {(error["index"], error["field"]) for error in response.json()["errors"]}
    assert errors == {(0, "disposition"), (1, "sip_code"), (2, "sip_code"), (3, "sip_code"), (4, "uniqueid")}
    assert not Cdr.objects.exists()


@pytest.mark.django_db
def test_a_kamailio_call_id_fits_uniqueid_and_linkedid(ingest_client):
    call_id = "a84b4c76e66710-" + "f" * 135  # 150 characters, Asterisk's own column size
    response = ingest_client.post(URL, [{**item(uniqueid=call_id, linkedid=call_id), "sip_code": 200}], format="json")
    assert response.status_code == 201, response.json()
    assert Cdr.objects.get().uniqueid == call_id


@pytest.mark.django_db
def test_the_report_shows_the_code_in_the_detail_csv_hover_and_api(ingest_client, admin_client):
    ingest_client.post(URL, [{**item(uniqueid="k-9"), "disposition": "BUSY", "sip_code": 600}], format="json")
    cdr = Cdr.objects.get()
    assert admin_client.get(f"/api/v1/cdrs/{cdr.pk}/").json()["sip_code"] == 600
    detail = admin_client.get(f"/cdr/{cdr.pk}/").content.decode()
    assert "SIP code" in detail and ">600<" in detail
    page = admin_client.get("/cdr/").content.decode()
    assert "as received: BUSY; SIP 600" in page
    csv = b"".join(admin_client.get("/cdr/export.csv").streaming_content).decode()
    header, row = csv.splitlines()[:2]
    assert "SIP code" in header.split(",")
    assert row.split(",")[header.split(",").index("SIP code")] == "600"
