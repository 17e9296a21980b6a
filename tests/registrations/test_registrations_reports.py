"""/registrations/ (online now), /registration-history/ and the account page /accounts/<id>/."""

import datetime

import pytest
from django.utils import timezone

from registrations.models import RegistrationBinding
from tests.registrations.factories import AccountFactory, BindingFactory
from tests.sip_sessions.factories import SipEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bindings():
    now = timezone.now()
    mario = AccountFactory(username="1932", display_name="Mario Rossi", department="Support")
    return {
        "live": BindingFactory(
            account=mario,
            registered_at=now - datetime.timedelta(minutes=30),
            expires_at=now + datetime.timedelta(minutes=5),
            remote_port=40112,
        ),
        "other": BindingFactory(
            account=AccountFactory(username="1001", department="Sales"),
            registered_at=now - datetime.timedelta(hours=2),
            expires_at=now + datetime.timedelta(hours=1),
            transport="TLS",
        ),
        # expired a second ago: no task has run, and it is not online any more
        "expired": BindingFactory(
            account=AccountFactory(username="1500"),
            registered_at=now - datetime.timedelta(hours=1),
            expires_at=now - datetime.timedelta(seconds=1),
        ),
        "unregistered": BindingFactory(
            account=mario,
            registered_at=now - datetime.timedelta(hours=3),
            expires_at=now + datetime.timedelta(hours=1),
            removed_at=now - datetime.timedelta(hours=2),
            removed_reason="unregister",
        ),
    }


def usernames(response) -> list[str]:
    return [RegistrationBinding.objects.get(pk=pk).username for pk, _ in response.context["rows"]]


def test_history_lists_all_and_deletes_only_ended_bindings(admin_client, bindings, django_capture_on_commit_callbacks):
    everything = admin_client.get("/registration-history/")
    assert sorted(usernames(everything)) == ["1001", "1500", "1932", "1932"]
    assert usernames(admin_client.get("/registration-history/?state=ended")) == ["1500", "1932"]
    preview = admin_client.get("/registration-history/delete/?username=19").context["preview"]
    assert (preview["selected"], preview["deletable"]) == (2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/registration-history/delete/?username=19", {"expected": "1"})
    assert not RegistrationBinding.objects.filter(pk=bindings["unregistered"].pk).exists()
    assert RegistrationBinding.objects.filter(pk=bindings["live"].pk).exists()


def test_account_page(operator_client, bindings):
    account = bindings["live"].account
    SipEventFactory(username="1932", event="NETWORK_ERROR", details="Connection reset by peer")
    response = operator_client.get(f"/accounts/{account.pk}/")
    assert response.status_code == 200
    assert [b.pk for b in response.context["current_bindings"]] == [bindings["live"].pk]
    assert [b.pk for b in response.context["past_bindings"]] == [bindings["unregistered"].pk]
    assert [e.event for e in response.context["last_sip_events"]] == ["NETWORK_ERROR"]
    assert response.context["last_calls"] == []
    page = response.content.decode()
    assert "Mario Rossi" in page and "Connection reset by peer" in page and "/sip-sessions/?username=1932" in page
    assert operator_client.get("/accounts/999999/").status_code == 404


def test_binding_detail_links_to_the_account_and_its_address(operator_client, bindings):
    live = bindings["live"]
    page = operator_client.get(f"/registration-history/{live.pk}/").content.decode()
    assert f"/accounts/{live.account_id}/" in page
    assert "/sip-sessions/?remote=203.0.113.10%3A40112/UDP" in page
