"""The 2-second poll follows account edits: a rename, a move to another department, a new
extension, a deactivation or a new account reaches an open page without a reload."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from monitoring.poll import encode_token
from registrations.models import Account
from registrations.services import accounts_upsert
from tests.conftest import login_quietly
from tests.monitoring.factories import TerminalStateFactory
from tests.monitoring.rows import row_cells
from tests.registrations.factories import AccountFactory

pytestmark = pytest.mark.django_db

PAGE, CHANGES = "/monitoring/", "/monitoring/changes/"


@pytest.fixture
def staff(db):
    """Four users written an hour ago, so only what a test changes is new to the poll."""
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    people = {
        "dario": AccountFactory(username="1404", first_name="Dario", last_name="Dini", department="Engineering"),
        "alice": AccountFactory(username="1101", first_name="Alice", last_name="Abati", department="Sales"),
        "bruno": AccountFactory(username="1902", first_name="Bruno", last_name="Bassi", department="Support"),
        "carla": AccountFactory(username="1903", first_name="Carla", last_name="Conti", department="Support"),
    }
    TerminalStateFactory(account=people["alice"], calls_active=1, updated_at=an_hour_ago)
    Account.objects.update(updated_at=an_hour_ago)
    return people


def poll(client, since: datetime.datetime, query: str = "") -> dict:
    response = client.get(f"{CHANGES}?since={encode_token(since)}{'&' if query else ''}{query}")
    assert response.status_code == 200
    return response.json()


def cells(html: str) -> list[str]:
    """The department, name, surname, extension and username a row shows."""
    [row] = row_cells(html).values()
    return [row[name] for name in ("department", "name", "surname", "extension", "username")]


def test_an_edited_account_comes_with_its_new_cells_and_place(operator_client, staff):
    since = timezone.now()
    assert poll(operator_client, since)["rows"] == []
    accounts_upsert(items=[{"username": "1101", "last_name": "Zanetti", "extension": "777", "department": "Sales"}])
    answer = poll(operator_client, since)
    [row] = answer["rows"]
    assert row["id"] == staff["alice"].pk and row["state"] == "RED"
    assert cells(row["html"]) == ["Sales", "Alice", "Zanetti", "777", "1101"]
    assert row["key"] == "sales\tzanetti\talice\t1101"
    assert answer["full"] is False


def test_a_new_account_comes_in(operator_client, staff):
    since = timezone.now()
    accounts_upsert(items=[{"username": "1505", "first_name": "Elena", "last_name": "Esposito", "department": "Sales"}])
    [row] = poll(operator_client, since)["rows"]
    assert row["id"] == Account.objects.get(username="1505").pk and row["state"] == "GREY"
    assert cells(row["html"]) == ["Sales", "Elena", "Esposito", "", "1505"]


def test_a_deactivation_in_the_admin_comes_in(operator_client, staff, superuser):
    since = timezone.now()
    admin = login_quietly(Client(), superuser)
    admin.post(
        "/admin/registrations/account/", {"action": "deactivate_active", "_selected_action": [staff["bruno"].pk]}
    )
    [row] = poll(operator_client, since)["rows"]
    assert row["id"] == staff["bruno"].pk
    assert "class=inactive" in row["html"] and '<span class="muted">inactive</span>' in row["html"]


def test_an_account_that_leaves_the_filters_is_hidden_and_one_that_enters_comes_in(operator_client, staff):
    since = timezone.now()
    accounts_upsert(items=[{"username": "1903", "department": "Sales"}])
    support = poll(operator_client, since, "department=Support")
    assert support["rows"] == [] and support["hide"] == [staff["carla"].pk]
    sales = poll(operator_client, since, "department=Sales")
    assert [row["id"] for row in sales["rows"]] == [staff["carla"].pk] and sales["hide"] == []
    searched = poll(operator_client, since, "q=conti+support")
    assert searched["rows"] == [] and searched["hide"] == [staff["carla"].pk]


def test_an_account_renamed_to_another_page_leaves_this_one_and_comes_into_that(operator_client, staff, settings):
    settings.MONITORING_PAGE_SIZE = 2
    html = operator_client.get(PAGE).content.decode()
    upper = re.search(r'data-upper="([^"]+)"', html).group(1)  # page 1: Dini (Engineering), Abati (Sales)
    since = timezone.now()
    accounts_upsert(items=[{"username": "1404", "department": "Support"}])
    first = poll(operator_client, since, f"upper={upper}")
    assert first["rows"] == [] and first["hide"] == [staff["dario"].pk]
    second = poll(operator_client, since, f"lower={upper}")
    assert [row["id"] for row in second["rows"]] == [staff["dario"].pk] and second["hide"] == []


def test_a_token_from_before_a_long_outage_brings_the_whole_range_marked_full(operator_client, staff):
    answer = operator_client.get(f"{CHANGES}?since=1&department=Support").json()
    assert answer["full"] is True
    assert {row["id"] for row in answer["rows"]} == {staff["bruno"].pk, staff["carla"].pk}
