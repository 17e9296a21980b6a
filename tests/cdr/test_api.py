"""`/api/v1/cdrs/`: Asterisk's CDR fields pushed idempotently, read back with the report's filters."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cdr.models import Cdr
from tests.cdr.factories import AccountFactory, CdrFactory, stored_fields

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def pbx(db):
    call_command("create_ingest_token", "pbx-1", stdout=io.StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user__username='ingest.pbx-1').key}")
    return client


def item(**overrides) -> dict:
    base = {
        "uniqueid": "1772705701.10",
        "sequence": 3,
        "linkedid": "1772705701.9",
        "accountcode": "sales",
        "src": "1001",
        "dst": "1002",
        "dcontext": "from-internal",
        "clid": '"Alice Smith" <1001>',
        "channel": "PJSIP/1001-0000000a",
        "dstchannel": "PJSIP/1002-0000000b",
        "lastapp": "Dial",
        "lastdata": "PJSIP/1002,30,tT",
        "start": "2026-03-05T11:15:01+01:00",
        "answer": "2026-03-05T11:15:04+01:00",
        "end": "2026-03-05T11:17:20+01:00",
        "duration": 139,
        "billsec": 136,
        "disposition": "ANSWERED",
        "amaflags": "DOCUMENTATION",
        "userfield": "vip",
    }
    return {**base, **overrides}


def test_push_stores_every_field_once(pbx):
    alice = AccountFactory(username="alice", extension="1001")
    bob = AccountFactory(username="bob", extension="9999")  # matched by the channel's peer name
    bob_channel = item(dstchannel="PJSIP/bob-0000000b")
    first = pbx.post("/api/v1/cdrs/", [bob_channel], format="json")
    assert first.status_code == 201, first.json()
    assert first.json() == {"received": 1, "created": 1, "unchanged": 0}
    assert pbx.post("/api/v1/cdrs/", bob_channel, format="json").json() == {"received": 1, "created": 0, "unchanged": 1}
    stored = Cdr.objects.get()
    assert stored_fields(stored) == {
        "uniqueid": "1772705701.10",
        "sequence": 3,
        "linkedid": "1772705701.9",
        "accountcode": "sales",
        "peeraccount": "",
        "src": "1001",
        "dst": "1002",
        "dcontext": "from-internal",
        "clid": '"Alice Smith" <1001>',
        "channel": "PJSIP/1001-0000000a",
        "dstchannel": "PJSIP/bob-0000000b",
        "lastapp": "Dial",
        "lastdata": "PJSIP/1002,30,tT",
        "start": datetime.datetime(2026, 3, 5, 10, 15, 1, tzinfo=UTC),
        "answer": datetime.datetime(2026, 3, 5, 10, 15, 4, tzinfo=UTC),
        "end": datetime.datetime(2026, 3, 5, 10, 17, 20, tzinfo=UTC),
        "duration": 139,
        "billsec": 136,
        "disposition": "ANSWERED",
        "disposition_source": "ANSWERED",
        "amaflags": "DOCUMENTATION",
        "userfield": "vip",
        "caller": alice,
        "callee": bob,
    }


@pytest.mark.parametrize(
    ("word", "stored"),
    [("NO ANSWER", "NO_ANSWER"), ("NO_ANSWER", "NO_ANSWER"), ("CONGESTION", "FAILED"), ("CANCEL", "NO_ANSWER")],
)
def test_dispositions_are_normalised_and_kept(pbx, word, stored):
    response = pbx.post("/api/v1/cdrs/", item(disposition=word, answer=None, billsec=0), format="json")
    assert response.status_code == 201
    assert Cdr.objects.values_list("disposition", "disposition_source").get() == (stored, word)


def test_same_uniqueid_other_sequence_is_another_record(pbx):
    response = pbx.post("/api/v1/cdrs/", [item(), item(sequence=4), item()], format="json")
    assert response.json() == {"received": 3, "created": 2, "unchanged": 1}


def test_bad_items_reject_the_batch_naming_index_and_field(pbx):
    bad = [
        item(),
        item(sequence=5, disposition="MAYBE"),
        item(sequence=6, billsec=200),
        item(sequence=7, start="yesterday"),
        {"sequence": 8},
    ]
    response = pbx.post("/api/v1/cdrs/", bad, format="json")
    assert response.status_code == 400
    errors = {(error["index"], error["field"]) for error in response.json()["errors"]}
    assert {(1, "disposition"), (2, "billsec"), (3, "start"), (4, "uniqueid"), (4, "end")} <= errors
    assert Cdr.objects.count() == 0


def test_read_with_the_report_filters(operator_client):
    alice = AccountFactory(username="alice", extension="1001")
    answered = CdrFactory(src="1001", caller=alice, billsec=30, duration=40)
    busy = CdrFactory(src="1001", dst="1003", disposition="BUSY", billsec=0, duration=4, answer=None)
    CdrFactory(src="2000", dst="1002", disposition="NO_ANSWER", billsec=0, duration=20, answer=None)
    data = operator_client.get("/api/v1/cdrs/?account=alice").json()
    assert [row["id"] for row in data["results"]] == [answered.pk]
    assert data["results"][0]["caller"] == "alice"
    data = operator_client.get("/api/v1/cdrs/?disposition=BUSY&disposition=ANSWERED&o=duration").json()
    assert [row["id"] for row in data["results"]] == [busy.pk, answered.pk]
    assert set(data) == {"next", "previous", "results"}
    assert operator_client.get(f"/api/v1/cdrs/?uniqueid={busy.uniqueid}").json()["results"][0]["dst"] == "1003"
    assert operator_client.get("/api/v1/cdrs/?duration_min=nope").status_code == 400


def test_only_ingest_tokens_push(operator_client):
    assert operator_client.post("/api/v1/cdrs/", item(), content_type="application/json").status_code == 403


def test_repost_with_a_corrected_start_adds_nothing(pbx):
    """Identity is uniqueid + sequence: the same CDR re-sent with its start an hour off is known."""
    assert pbx.post("/api/v1/cdrs/", item(), format="json").json()["created"] == 1
    shifted = item(start="2026-03-05T10:15:01+01:00")
    assert pbx.post("/api/v1/cdrs/", shifted, format="json").json() == {"received": 1, "created": 0, "unchanged": 1}
    in_one_batch = [item(sequence=9), item(sequence=9, start="2026-03-05T10:45:01+01:00")]
    assert pbx.post("/api/v1/cdrs/", in_one_batch, format="json").json() == {
        "received": 2,
        "created": 1,
        "unchanged": 1,
    }
    # a day and more apart it is another call (uniqueids are reused only that far apart)
    next_day = item(start="2026-03-06T11:20:01+01:00", end="2026-03-06T11:22:20+01:00", answer=None, billsec=0)
    assert pbx.post("/api/v1/cdrs/", next_day, format="json").json()["created"] == 1
    assert sorted(Cdr.objects.values_list("sequence", "start__day")) == [(3, 5), (3, 6), (9, 5)]


def test_initiatedseconds_billsec_one_over_duration_is_stored_and_two_refused(pbx):
    """initiatedseconds=yes: billsec rounded up, duration truncated; the API and the table's
    constraint take duration + 1 and refuse more, which no Asterisk writes."""
    response = pbx.post("/api/v1/cdrs/", item(duration=139, billsec=140), format="json")
    assert response.status_code == 201, response.content
    assert Cdr.objects.get().billsec == 140
    response = pbx.post("/api/v1/cdrs/", item(sequence=4, duration=139, billsec=141), format="json")
    assert response.status_code == 400
    assert {(error["index"], error["field"]) for error in response.json()["errors"]} == {(0, "billsec")}
    with pytest.raises(IntegrityError), transaction.atomic():
        Cdr.objects.filter(pk=Cdr.objects.get().pk).update(billsec=141)
