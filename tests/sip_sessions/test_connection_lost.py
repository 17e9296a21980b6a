"""A TCP/TLS/WS/WSS binding ends at its own connection's DISCONNECT / NETWORK_ERROR (connection_lost),
and reconciliation still binds that event to the binding it ended."""

import datetime

import pytest

from registrations.models import RegistrationBinding
from sip_sessions.models import SipEvent
from sip_sessions.reconcile import reconcile
from tests.registrations.factories import T0, AccountFactory, BindingFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/sip-events/"
MINUTE = datetime.timedelta(minutes=1)


def event(event_id: str, minutes: int, kind: str, *, port: int = 40112, transport: str = "tcp", **extra) -> dict:
    return {
        "event_id": event_id,
        "timestamp": (T0 + minutes * MINUTE).isoformat(),
        "event": kind,
        "remote_ip": "203.0.113.10",
        "remote_port": port,
        "transport": transport,
        "details": f"{kind} of the connection",
        **extra,
    }


@pytest.fixture
def tcp():
    """1932 over TCP from :40112, 1933 over TCP from :40113, 1934 over UDP from :40112."""
    return {
        "1932": BindingFactory(account=AccountFactory(username="1932"), remote_port=40112, transport="TCP"),
        "1933": BindingFactory(account=AccountFactory(username="1933"), remote_port=40113, transport="TCP"),
        "1934": BindingFactory(account=AccountFactory(username="1934"), remote_port=40112, transport="UDP"),
    }


def ended(binding) -> tuple:
    binding.refresh_from_db()
    return binding.removed_reason, binding.removed_at


def test_a_disconnect_ends_the_binding_of_its_own_connection_only(ingest_client, tcp):
    response = ingest_client.post(URL, [event("d1", 20, "DISCONNECT")], format="json")
    assert response.status_code == 201, response.json()
    assert ended(tcp["1932"]) == ("connection_lost", T0 + 20 * MINUTE)
    assert ended(tcp["1933"]) == ("", None)  # another connection
    assert ended(tcp["1934"]) == ("", None)  # UDP at the same ip:port: no connection to lose
    assert RegistrationBinding.objects.get(pk=tcp["1932"].pk).last_event_id == "d1"


def test_a_network_error_ends_it_too_and_udp_events_end_nothing(ingest_client, tcp):
    ingest_client.post(
        URL,
        [event("u1", 5, "DISCONNECT", transport="udp"), event("n1", 30, "NETWORK_ERROR", port=40113)],
        format="json",
    )
    assert ended(tcp["1934"]) == ("", None)
    assert ended(tcp["1933"]) == ("connection_lost", T0 + 30 * MINUTE)


def test_an_event_after_the_expiry_or_before_the_binding_ends_nothing(ingest_client, tcp):
    ingest_client.post(URL, [event("late", 61, "DISCONNECT"), event("early", -1, "DISCONNECT")], format="json")
    assert ended(tcp["1932"]) == ("", None)


def test_the_disconnect_that_ended_its_binding_is_reconciled_to_it(ingest_client, tcp):
    ingest_client.post(URL, [event("c1", 1, "CONNECT"), event("d1", 20, "DISCONNECT")], format="json")
    assert ended(tcp["1932"])[1] == T0 + 20 * MINUTE
    run = reconcile()
    assert run.bound == 2
    bound = dict(SipEvent.objects.values_list("event_id", "username"))
    assert bound == {"c1": "1932", "d1": "1932"}
    # an event at that address after the binding ended finds no binding
    ingest_client.post(URL, [event("c2", 21, "CONNECT")], format="json")
    reconcile()
    assert SipEvent.objects.get(event_id="c2").reconciled is False


def test_a_named_user_ends_only_their_own_binding(ingest_client, tcp):
    ingest_client.post(URL, [event("d1", 20, "DISCONNECT", username="1999")], format="json")
    assert ended(tcp["1932"]) == ("", None)
    ingest_client.post(URL, [event("d2", 21, "DISCONNECT", username="1932")], format="json")
    assert ended(tcp["1932"])[0] == "connection_lost"


def test_a_replayed_disconnect_changes_nothing(ingest_client, tcp):
    ingest_client.post(URL, [event("d1", 20, "DISCONNECT")], format="json")
    first = RegistrationBinding.objects.values_list("removed_at", "last_event_id").get(pk=tcp["1932"].pk)
    again = ingest_client.post(URL, [event("d1", 20, "DISCONNECT"), event("d9", 25, "DISCONNECT")], format="json")
    assert again.json()["created"] == 1
    assert RegistrationBinding.objects.values_list("removed_at", "last_event_id").get(pk=tcp["1932"].pk) == first
