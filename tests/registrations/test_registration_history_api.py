"""GET /api/v1/registration-history/: the Registration History report, read with its own filters."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.registrations.factories import AccountFactory, BindingFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/registration-history/"


@pytest.fixture
def history():
    now = timezone.now()
    mario = AccountFactory(username="1932")
    return {
        "live": BindingFactory(
            account=mario,
            registered_at=now - datetime.timedelta(minutes=10),
            expires_at=now + datetime.timedelta(hours=1),
            event_id="live",
        ),
        "unregistered": BindingFactory(
            account=mario,
            registered_at=now - datetime.timedelta(hours=3),
            removed_at=now - datetime.timedelta(hours=2),
            removed_reason="unregister",
            event_id="unregistered",
        ),
        "moved": BindingFactory(
            account=AccountFactory(username="1001"),
            registered_at=now - datetime.timedelta(hours=4),
            removed_at=now - datetime.timedelta(hours=3, minutes=30),
            removed_reason="moved",
            remote_port=40112,
            event_id="moved",
        ),
        "expired": BindingFactory(
            account=AccountFactory(username="1500"),
            registered_at=now - datetime.timedelta(hours=5),
            expires_at=now - datetime.timedelta(hours=4),
            transport="TLS",
            event_id="expired",
        ),
    }


def event_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["event_id"] for row in response.json()["results"]]


def test_every_binding_live_or_ended_newest_first_in_pages_with_next(operator_client, history, settings):
    settings.REPORT_PAGE_SIZE = 3
    first = operator_client.get(URL).json()
    assert [row["event_id"] for row in first["results"]] == ["live", "unregistered", "moved"]
    assert first["results"][1]["removed_reason"] == "unregister" and first["results"][1]["removed_at"]
    assert first["results"][2]["remote_port"] == 40112
    second = operator_client.get(first["next"])
    assert event_ids(second) == ["expired"] and second.json()["next"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=live", ["live"]),
        ("state=ended", ["unregistered", "moved", "expired"]),
        ("removed_reason=moved", ["moved"]),
        ("username=1932", ["live", "unregistered"]),
        ("transport=TLS", ["expired"]),
        ("remote=203.0.113.10:40112/udp", ["moved"]),
        ("o=registered_at", ["expired", "moved", "unregistered", "live"]),
        ("q=1500", ["expired"]),
    ],
)
def test_the_reports_filters_and_sort_apply(operator_client, history, query, expected):
    assert event_ids(operator_client.get(f"{URL}?{query}")) == expected


def test_a_bad_filter_is_a_400_naming_it(operator_client, history):
    response = operator_client.get(f"{URL}?state=someday")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["state"]


def test_it_is_read_only_and_needs_the_view_right(operator_client, ingest_client, history):
    refused = ingest_client.post(URL, [], format="json")
    assert refused.status_code == 405  # even a token that may push: bindings come from `registrations/`
    assert operator_client.get(f"{URL}{history['moved'].pk}/").json()["removed_reason"] == "moved"
    assert ingest_client.get(URL).status_code == 403  # a machine token reads no history
    assert APIClient().get(URL).status_code in (401, 403)  # nobody logged in
