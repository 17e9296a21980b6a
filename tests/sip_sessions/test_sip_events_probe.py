"""The SIP event store's probe of a batch: a sample first, the whole batch only where it finds a stored key."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sip_sessions.models import SipEvent
from sip_sessions.services import PROBE_SAMPLE, stored_keys_of_batch
from tests.registrations.factories import T0

from .factories import SipEventFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/sip-events/"
SIZE = 3 * PROBE_SAMPLE


def _item(n: int) -> dict:
    moment = T0 + datetime.timedelta(seconds=n)
    return {"event_id": f"probe-{n}", "timestamp": moment.isoformat(), "event": "REGISTER", "username": "alice"}


def _keys(count: int) -> list[tuple]:
    return [(f"probe-{n}", T0 + datetime.timedelta(seconds=n)) for n in range(count)]


def _probes(keys: list[tuple]) -> tuple[set, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        found = stored_keys_of_batch(keys)
    return found, [query["sql"] for query in queries.captured_queries if "sip_sessions_sipevent" in query["sql"]]


def test_a_new_batch_is_probed_by_its_sample_only():
    found, probes = _probes(_keys(SIZE))
    assert found == set()
    assert len(probes) == 1
    assert probes[0].count('"probe-') == SIZE // PROBE_SAMPLE + 1  # every 100th key and the last


def test_a_batch_whose_sample_meets_a_stored_key_is_probed_in_full():
    SipEventFactory(event_id="probe-0", time=T0)
    SipEventFactory(event_id="probe-7", time=T0 + datetime.timedelta(seconds=7))  # outside the sample
    found, probes = _probes(_keys(SIZE))
    assert found == {("probe-0", T0), ("probe-7", T0 + datetime.timedelta(seconds=7))}
    assert len(probes) == 2


def test_an_overlap_the_sample_misses_is_stored_once_with_the_same_answer(ingest_client):
    SipEventFactory(event_id="probe-7", time=T0 + datetime.timedelta(seconds=7), details="stored first")
    body = [_item(n) for n in range(SIZE)]
    reply = ingest_client.post(URL, body, format="json")
    assert reply.status_code == 201
    assert reply.json() == {"received": SIZE, "created": SIZE - 1, "unchanged": 1}
    assert SipEvent.objects.filter(event_id__startswith="probe-").count() == SIZE
    assert SipEvent.objects.get(event_id="probe-7").details == "stored first"


def test_a_batch_sent_again_whole_creates_nothing(ingest_client):
    body = [_item(n) for n in range(SIZE)]
    assert ingest_client.post(URL, body, format="json").json()["created"] == SIZE
    assert ingest_client.post(URL, body, format="json").json() == {"received": SIZE, "created": 0, "unchanged": SIZE}
    assert SipEvent.objects.count() == SIZE
