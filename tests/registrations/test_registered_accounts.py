"""Registered Accounts (seed 000: "a full list of all the Accounts who are on line"): one row per
account online, its contacts inside the row and on its page."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from tests.registrations.factories import AccountFactory, BindingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def online():
    now = timezone.now()
    mario = AccountFactory(username="1932", display_name="Mario Rossi", department="Support")
    desk = BindingFactory(
        account=mario,
        contact="sip:1932@192.168.1.20:5060",
        registered_at=now - datetime.timedelta(minutes=30),
        expires_at=now + datetime.timedelta(minutes=5),
        remote_port=40112,
        user_agent="Yealink SIP-T46U",
    )
    soft = BindingFactory(
        account=mario,
        contact="sip:1932@10.0.0.8:52000;transport=wss",
        registered_at=now - datetime.timedelta(minutes=10),
        expires_at=now + datetime.timedelta(minutes=50),
        remote_ip="198.51.100.4",
        remote_port=52000,
        transport="WSS",
        user_agent="Softphone 3.1",
    )
    other = BindingFactory(
        account=AccountFactory(username="1001", display_name="Anna Verdi", department="Sales"),
        registered_at=now - datetime.timedelta(hours=2),
        expires_at=now + datetime.timedelta(hours=1),
        transport="TLS",
    )
    gone = BindingFactory(
        account=AccountFactory(username="1500"),
        registered_at=now - datetime.timedelta(hours=1),
        expires_at=now - datetime.timedelta(seconds=1),
    )
    # an unregistered binding of Mario's: not online, and not a third contact in his row
    BindingFactory(
        account=mario,
        registered_at=now - datetime.timedelta(hours=3),
        expires_at=now + datetime.timedelta(hours=1),
        removed_at=now - datetime.timedelta(hours=2),
        removed_reason="unregister",
    )
    return {"mario": mario, "desk": desk, "soft": soft, "other": other, "gone": gone}


def test_one_row_per_account_with_every_contact_inside(operator_client, online):
    response = operator_client.get("/registrations/")
    assert response.status_code == 200
    rows = dict(response.context["rows"])
    assert list(rows) == [online["other"].account_id, online["mario"].pk]  # by username: 1001, 1932
    texts = [cell.text for cell in rows[online["mario"].pk]]
    contacts = next(text for text in texts if "data-contact" in text)
    assert contacts.count("data-contact") == 2
    assert "sip:1932@192.168.1.20:5060" in contacts and "203.0.113.10:40112/UDP" in contacts
    assert "198.51.100.4:52000/WSS" in contacts and "Softphone 3.1" in contacts
    assert "2 rows" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?department=sales", ["1001"]),
        ("?transport=TLS", ["1001"]),
        ("?transport=WSS", ["1932"]),
        ("?remote=198.51.100.4:52000/wss", ["1932"]),
        ("?user_agent=softphone", ["1932"]),
        ("?q=mario+softphone", ["1932"]),
        ("?q=verdi+tls", ["1001"]),
        ("?q=mario+tls", []),
        ("?o=-since", ["1932", "1001"]),
        ("?o=-contacts", ["1932", "1001"]),
        ("?o=contacts", ["1001", "1932"]),
        ("?o=-until", ["1001", "1932"]),
    ],
)
def test_filters_and_sorts_over_accounts(operator_client, online, query, expected):
    response = operator_client.get(f"/registrations/{query}")
    assert response.status_code == 200
    from registrations.models import Account

    assert [Account.objects.get(pk=pk).username for pk, _ in response.context["rows"]] == expected


def test_the_account_row_page_lists_its_contacts(operator_client, online):
    page = operator_client.get(f"/registrations/{online['mario'].pk}/").content.decode()
    assert "sip:1932@192.168.1.20:5060" in page and "sip:1932@10.0.0.8:52000;transport=wss" in page
    assert f"/accounts/{online['mario'].pk}/" in page
    assert operator_client.get(f"/registrations/{online['gone'].account_id}/").status_code == 404  # offline


def test_csv_is_one_line_per_account_with_its_contacts_in_one_cell(admin_client, online):
    response = admin_client.get("/registrations/export.csv?o=username")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert [row[header.index("Username")] for row in body] == ["1001", "1932"]
    cell = body[1][header.index("Contacts (contact address user agent, expiry in UTC)")]
    lines = cell.split("\n")
    assert len(lines) == 2
    assert lines[0].startswith('sip:1932@192.168.1.20:5060 203.0.113.10:40112/UDP "Yealink SIP-T46U" until ')
    assert lines[1].startswith('sip:1932@10.0.0.8:52000;transport=wss 198.51.100.4:52000/WSS "Softphone 3.1" until ')
    assert body[1][header.index("Contacts")] == "2"


def test_api_lists_accounts_with_their_contacts(operator_client, online):
    body = operator_client.get("/api/v1/registrations/").json()
    assert [row["username"] for row in body["results"]] == ["1001", "1932"]
    mario = body["results"][1]
    assert [(contact["remote_port"], contact["transport"]) for contact in mario["contacts"]] == [
        (40112, "UDP"),
        (52000, "WSS"),
    ]
