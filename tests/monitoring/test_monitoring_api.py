"""GET /api/v1/monitoring/: per user username, department, state, calls, terminals; paged."""

import pytest

from tests.monitoring.factories import TerminalStateFactory, live_binding
from tests.registrations.factories import AccountFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/"


def test_shape_of_a_user(ingest_client):
    account = AccountFactory(username="1932", first_name="Mario", last_name="Rossi", department="Support", mobile="")
    TerminalStateFactory(account=account, terminal=2, kind="dect", calls_ringing=1, address="192.0.2.5", model="S700H")
    live_binding(account, contact="sip:1932@192.168.10.20:5060", user_agent="Yealink SIP-T46U")
    [user] = ingest_client.get(URL).json()["results"]
    assert user == {
        "id": account.pk,
        "username": "1932",
        "department": "Support",
        "first_name": "Mario",
        "last_name": "Rossi",
        "extension": "1932",
        "state": "ORANGE",
        "calls": 1,
        "terminals": [
            {
                "terminal": 1,
                "kind": "sip",
                "registered": True,
                "calls_ringing": 0,
                "calls_active": 0,
                "address": "192.168.10.20",
                "model": "Yealink SIP-T46U",
                "source": "binding",
                "url": "http://192.168.10.20/",
            },
            {
                "terminal": 2,
                "kind": "dect",
                "registered": True,
                "calls_ringing": 1,
                "calls_active": 0,
                "address": "192.0.2.5",
                "model": "S700H",
                "source": "push",
                "url": "http://192.0.2.5/",
            },
        ],
    }


def test_pages_by_username_with_filters(ingest_client, settings):
    settings.MONITORING_API_PAGE_SIZE = 2
    for n in range(5):
        account = AccountFactory(username=f"20{n}", department="Sales" if n % 2 else "Support", mobile="")
        if n in (1, 2, 4):
            TerminalStateFactory(account=account, calls_active=1)
    first = ingest_client.get(URL).json()
    assert [user["username"] for user in first["results"]] == ["200", "201"]
    second = ingest_client.get(first["next"]).json()
    assert [user["username"] for user in second["results"]] == ["202", "203"]
    third = ingest_client.get(second["next"]).json()
    assert [user["username"] for user in third["results"]] == ["204"] and third["next"] is None

    red = ingest_client.get(URL + "?state=RED").json()
    assert [user["username"] for user in red["results"]] == ["201", "202"]
    assert [user["username"] for user in ingest_client.get(red["next"]).json()["results"]] == ["204"]
    support_red = ingest_client.get(URL + "?state=RED&department=Support").json()["results"]
    assert [user["username"] for user in support_red] == ["202", "204"]
    assert [u["username"] for u in ingest_client.get(URL + "?q=203").json()["results"]] == ["203"]


def test_each_user_is_what_the_documented_serializer_gives(ingest_client):
    """The API writes its users directly; MonitoredUserSerializer (the schema) must say the same."""
    from monitoring.selectors import user_rows
    from monitoring.serializers import MonitoredUserSerializer
    from registrations.models import Account

    account = AccountFactory(mobile="+39 333 1")
    TerminalStateFactory(account=account, terminal=3, kind="usb", calls_active=2, address="phone.lan:8080")
    TerminalStateFactory(account=account, terminal=1, kind="sip", registered=False, address="javascript:x")
    live_binding(AccountFactory(mobile=""))
    answer = ingest_client.get(URL).json()["results"]
    expected = sorted(user_rows(Account.objects.all()), key=lambda row: row.username)
    assert answer == MonitoredUserSerializer(expected, many=True).data


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=BLUE", "state"),
        ("after=%%%", "after"),
        ("zone=1", "zone"),
        ("department=%00", "department"),
        ("q=20%00", "q"),
        ("after=AA", "after"),  # decodes to a NUL, which PostgreSQL cannot compare
        ("after=MjAwADE", "after"),  # "200\x001"
    ],
)
def test_bad_queries_are_400_naming_the_parameter(ingest_client, query, field):
    AccountFactory()
    response = ingest_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_the_schema_documents_both_resources(admin_client):
    schema = admin_client.get("/api/schema/").content
    assert b"/api/v1/monitoring/" in schema and b"/api/v1/terminal-states/" in schema
