"""POST /api/v1/accounts/: upsert by username, each change saved row by row (signals see it)."""

import pytest
from django.db.models.signals import post_save
from rest_framework.test import APIClient

from registrations.models import Account

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounts/"
ALICE = {
    "username": "1932",
    "display_name": "Mario Rossi",
    "first_name": "Mario",
    "last_name": "Rossi",
    "department": "Support",
    "extension": "1932",
    "mobile": "+39 333 1234567",
    "active": True,
}


@pytest.fixture
def api(ingest_client):
    return ingest_client


@pytest.fixture
def saves():
    seen = []

    def record(sender, instance, created, **kwargs):
        seen.append((instance.username, created))

    post_save.connect(record, sender=Account, dispatch_uid="test-account-saves")
    yield seen
    post_save.disconnect(dispatch_uid="test-account-saves", sender=Account)


def test_upsert_creates_then_updates_only_what_changed(api, saves):
    first = api.post(URL, [ALICE, {"username": "1933", "department": "Sales"}], format="json")
    assert first.json() == {"received": 2, "created": 2, "unchanged": 0}
    again = api.post(URL, [ALICE, {"username": "1933", "department": "Sales"}], format="json")
    assert again.json() == {"received": 2, "created": 0, "unchanged": 2}
    moved = api.post(URL, {"username": "1932", "department": "Sales"}, format="json")
    assert moved.json()["created"] == 1
    mario = Account.objects.get(username="1932")
    assert (mario.department, mario.mobile, mario.display_name) == ("Sales", "+39 333 1234567", "Mario Rossi")
    assert saves == [("1932", True), ("1933", True), ("1932", False)]  # one save per change, none for repeats


def test_a_bad_item_leaves_no_account(api):
    response = api.post(URL, [ALICE, {"username": "", "active": "perhaps"}, {"display_name": "x"}], format="json")
    assert response.status_code == 400
    assert {(e["index"], e["field"]) for e in response.json()["errors"]} == {
        (1, "username"),
        (1, "active"),
        (2, "username"),
    }
    assert not Account.objects.exists()


def test_get_lists_accounts_by_username(api, operator):
    api.post(URL, [ALICE, {"username": "1000", "department": "Sales"}], format="json")
    reader = APIClient()
    reader.force_authenticate(operator)
    body = reader.get(URL).json()
    assert [row["username"] for row in body["results"]] == ["1000", "1932"]
    assert reader.get(URL + "?department=Support").json()["results"][0]["mobile"] == "+39 333 1234567"
    assert reader.post(URL, ALICE, format="json").status_code == 403
