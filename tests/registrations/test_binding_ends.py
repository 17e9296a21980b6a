"""Why a binding ended: the item's reason (unregister, expired), moved, the registrar it is held by,
and the expiry sweep for a binding whose expiry passed with no event."""

import datetime

import pytest
from django.utils import timezone

from audit.models import ServerEvent
from registrations.models import RegistrationBinding
from registrations.services import bindings_expire
from tests.registrations.factories import T0, AccountFactory, BindingFactory
from tests.registrations.test_registrations_api import DAY, URL, item

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def ends() -> dict[str, tuple]:
    return {
        row[0]: row[1:]
        for row in RegistrationBinding.objects.values_list("event_id", "removed_reason", "removed_at", "registrar")
    }


def test_an_item_states_its_end_reason_and_unregister_is_the_default(ingest_client):
    body = [
        item("a", f"{DAY}T09:00:00Z", contact="sip:1932@10.0.0.5:5060", registrar="kamailio@pbx1"),
        item("b", f"{DAY}T09:00:01Z", contact="sip:1932@10.0.0.6:5060", port=5062),
        item("c", f"{DAY}T09:10:00Z", contact="sip:1932@10.0.0.5:5060", expires=0, reason="expired"),
        item("d", f"{DAY}T09:20:00Z", contact="sip:1932@10.0.0.6:5060", expires=0),
    ]
    response = ingest_client.post(URL, body[:2], format="json")
    assert response.status_code == 201, response.json()
    assert ingest_client.post(URL, body[2:], format="json").json()["created"] == 2
    stored = ends()
    assert stored["a"][0] == "expired" and stored["a"][1].isoformat() == f"{DAY}T09:10:00+00:00"
    assert stored["a"][2] == "kamailio@pbx1" and stored["b"][2] == ""
    assert stored["b"][0] == "unregister"
    offline = ServerEvent.objects.filter(event_type="status", new_status=0).get()
    assert "unregistered" in offline.description


def test_a_reason_with_a_positive_expiry_is_refused_naming_it(ingest_client):
    bad = [
        item("x", f"{DAY}T09:00:00Z", reason="expired"),
        item("y", f"{DAY}T09:00:00Z", expires=0, reason="moved"),  # the console's own reason
        item("z", f"{DAY}T09:00:00Z", registrar="k" * 65),
    ]
    response = ingest_client.post(URL, bad, format="json")
    assert response.status_code == 400
    assert {(error["index"], error["field"]) for error in response.json()["errors"]} == {
        (0, "reason"),
        (1, "reason"),
        (2, "registrar"),
    }
    assert not RegistrationBinding.objects.exists()


def test_the_registrar_follows_a_refresh_from_another_registrar(ingest_client):
    ingest_client.post(URL, [item("a", f"{DAY}T09:00:00Z", registrar="kamailio@one")], format="json")
    ingest_client.post(URL, [item("b", f"{DAY}T09:30:00Z", registrar="kamailio@two")], format="json")
    assert RegistrationBinding.objects.get().registrar == "kamailio@two"


def test_the_sweep_ends_a_passed_expiry_at_the_expiry_and_says_offline_once():
    account = AccountFactory(username="1932")
    first = BindingFactory(account=account, registered_at=T0, expires_at=T0 + HOUR)
    second = BindingFactory(account=account, registered_at=T0, expires_at=T0 + 2 * HOUR, contact="sip:other@x")
    unregistered = BindingFactory(
        account=account, registered_at=T0, expires_at=T0 + 3 * HOUR, removed_at=T0, removed_reason="unregister"
    )
    live = BindingFactory(registered_at=T0, expires_at=T0 + 10 * HOUR)

    assert bindings_expire(now=T0 + 90 * 60 * datetime.timedelta(seconds=1)) == 1  # only the first has passed
    assert not ServerEvent.objects.filter(event_type="status").exists()  # the second is still live then
    assert bindings_expire(now=T0 + 5 * HOUR) == 1
    assert bindings_expire(now=T0 + 5 * HOUR) == 0  # a second run changes nothing

    stored = ends()
    assert stored[first.event_id][:2] == ("expired", T0 + HOUR)
    assert stored[second.event_id][:2] == ("expired", T0 + 2 * HOUR)
    assert stored[unregistered.event_id][:2] == ("unregister", T0)
    assert stored[live.event_id][:2] == ("", None)
    offline = ServerEvent.objects.get(event_type="status")
    assert (offline.username, offline.previous_status, offline.new_status) == ("1932", 1, 0)
    assert offline.time == T0 + 2 * HOUR and "expired" in offline.description


def test_a_late_refresh_reopens_a_binding_the_sweep_expired(ingest_client):
    now = timezone.now()
    start = now - 2 * HOUR
    opened = item("a", start.isoformat(), expires=3600)
    ingest_client.post(URL, [opened], format="json")
    assert bindings_expire(now=now) == 1
    # the registrar's refresh of 10 minutes after the REGISTER arrives late: it extends the binding
    late = item("b", (start + datetime.timedelta(minutes=10)).isoformat(), expires=4 * 3600)
    assert ingest_client.post(URL, [late], format="json").json()["created"] == 1
    binding = RegistrationBinding.objects.get()
    assert (binding.removed_at, binding.removed_reason) == (None, "")
    assert binding.expires_at == start + datetime.timedelta(minutes=10) + 4 * HOUR


def test_the_beat_runs_the_sweep(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-registration-bindings"]
    assert entry["task"] == "registrations.tasks.expire_bindings"
    from registrations.tasks import expire_bindings

    BindingFactory(registered_at=T0, expires_at=T0 + HOUR)
    assert expire_bindings.apply().get() == 1
    assert RegistrationBinding.objects.get().removed_reason == "expired"


def test_a_registrars_expired_item_after_the_expiry_leaves_the_end_to_the_sweep(ingest_client):
    ingest_client.post(URL, [item("a", f"{DAY}T09:00:00Z", expires=600)], format="json")
    late = item("x", f"{DAY}T09:10:30Z", expires=0, reason="expired")  # the registrar's timer, after 09:10
    assert ingest_client.post(URL, [late], format="json").json()["created"] == 0
    assert bindings_expire(now=datetime.datetime.fromisoformat(f"{DAY}T09:11:00+00:00")) == 1
    binding = RegistrationBinding.objects.get()
    assert (binding.removed_reason, binding.removed_at.isoformat()) == ("expired", f"{DAY}T09:10:00+00:00")
