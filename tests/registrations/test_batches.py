"""The set-based feed keeps the per-event rules within one batch: refresh, move and unregister of one
contact in time order, whatever the order in the body; concurrent feeds on one account."""

import threading

import pytest
from django.db import connection

from audit.models import ServerEvent
from registrations.models import RegistrationBinding
from tests.registrations.test_registrations_api import DAY, URL, item

C = "sip:1932@192.168.1.20:5060"


def history() -> list[tuple]:
    return list(
        RegistrationBinding.objects.order_by("registered_at", "id").values_list(
            "event_id", "remote_port", "expires_at", "removed_at", "removed_reason", "last_event_id"
        )
    )


@pytest.mark.django_db
def test_refresh_move_refresh_and_unregister_of_one_contact_in_one_batch(ingest_client):
    batch = [
        item("unreg", f"{DAY}T09:50:00Z", contact=C, port=40112, expires=0),
        item("refresh-b", f"{DAY}T09:45:00Z", contact=C, port=40112, expires=600),
        item("move", f"{DAY}T09:40:00Z", contact=C, port=40112),
        item("refresh-a", f"{DAY}T09:30:00Z", contact=C, port=5060),
        item("open", f"{DAY}T09:00:00Z", contact=C, port=5060),
        item("again", f"{DAY}T10:00:00Z", contact=C, port=5060),
    ]
    response = ingest_client.post(URL, batch, format="json")
    assert response.json() == {"received": 6, "created": 6, "unchanged": 0}
    rows = [(r[0], r[1], r[2].strftime("%H:%M"), r[3] and r[3].strftime("%H:%M"), r[4], r[5]) for r in history()]
    assert rows == [
        ("open", 5060, "10:30", "09:40", "moved", "move"),  # refreshed at 09:30 for an hour, then moved
        ("move", 40112, "10:40", "09:50", "unregister", "unreg"),  # 09:45 + 600 s extends nothing
        ("again", 5060, "11:00", None, "", "again"),  # after the unregister: a new binding
    ]
    stored = history()
    assert ingest_client.post(URL, batch, format="json").json()["created"] == 0  # replayed: nothing
    assert history() == stored


@pytest.mark.django_db
def test_a_batch_that_fails_in_the_store_leaves_nothing(ingest_client, monkeypatch):
    from registrations.services import bindings

    def broken(working):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bindings, "working_write", broken)
    with pytest.raises(RuntimeError):
        ingest_client.post(URL, [item("a", f"{DAY}T09:00:00Z")], format="json")
    assert not RegistrationBinding.objects.exists() and not ServerEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_feeds_on_one_account_at_once_each_see_the_other(ingest_client):
    """Two clients post the two contacts of one account at once; both bindings live, one online event."""
    from rest_framework.test import APIClient

    token = ingest_client._credentials["HTTP_AUTHORIZATION"]
    barrier = threading.Barrier(2)
    answers = []

    def post(event_id: str, contact: str, port: int):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token)
        barrier.wait()
        body = [item(event_id, f"{DAY}T09:00:00Z", contact=contact, port=port)]
        answers.append(client.post(URL, body, format="json"))
        connection.close()

    threads = [
        threading.Thread(target=post, args=("a", "sip:1932@10.0.0.5:5060", 5060)),
        threading.Thread(target=post, args=("b", "sip:1932@10.0.0.6:5060", 5062)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answer.status_code for answer in answers) == [201, 201]
    assert RegistrationBinding.objects.filter(removed_at__isnull=True).count() == 2
    assert ServerEvent.objects.filter(event_type="status", new_status=1).count() == 1
