"""What a User Monitoring row shows, the same on the page and in the poll, every value escaped."""

import datetime

import pytest
from django.utils import timezone

from monitoring.poll import encode_token
from tests.monitoring.factories import TerminalStateFactory, live_binding
from tests.monitoring.rows import row_cells
from tests.registrations.factories import AccountFactory

pytestmark = pytest.mark.django_db

PAGE, CHANGES = "/monitoring/", "/monitoring/changes/"
MODEL = '"><script>x</script>'
AGENT = "Linphone <3.1> & co"
DEPARTMENT = "R&D <lab>"


@pytest.fixture
def hostile(db):
    """A user whose fields hold markup: a pushed model, a binding's user agent, a department."""
    since = timezone.now() - datetime.timedelta(seconds=1)
    account = AccountFactory(
        username="1950",
        first_name="Ugo",
        last_name="O'Neil <b>",
        department=DEPARTMENT,
        extension="<i>77</i>",
        mobile="",
    )
    TerminalStateFactory(account=account, terminal=2, kind="dect", model=MODEL, address="192.0.2.9")
    live_binding(account, contact="sip:1950@192.0.2.8:5060", user_agent=AGENT)
    return account, since


def poll_html(client, since) -> str:
    answer = client.get(f"{CHANGES}?since={encode_token(since)}").json()
    return "".join(row["html"] for row in answer["rows"])


def test_a_row_shows_department_name_surname_extension_and_username(operator_client):
    account = AccountFactory(
        username="1960", first_name="Mario", last_name="Rossi", department="Support", extension="4"
    )
    since = timezone.now() - datetime.timedelta(seconds=1)
    page = operator_client.get(PAGE).content.decode()
    for html in (page, poll_html(operator_client, since)):
        cells = row_cells(html)[account.pk]
        assert [cells[name] for name in ("department", "name", "surname", "extension", "username")] == [
            "Support",
            "Mario",
            "Rossi",
            "4",
            "1960",
        ]
        assert cells["diag"] == "diag"


def test_markup_in_any_field_is_shown_as_text_on_the_page_and_in_the_poll(operator_client, hostile):
    account, since = hostile
    page = operator_client.get(PAGE).content.decode()
    for html in (page, poll_html(operator_client, since)):
        assert (
            "<script>" not in html
            and "<lab>" not in html
            and "<b>" not in html
            and "<3.1>" not in html
            and "<i>" not in html
        )
        cells = row_cells(html)[account.pk]
        assert cells["department"] == DEPARTMENT
        assert cells["surname"] == "O'Neil <b>" and cells["extension"] == "<i>77</i>"
        assert "Model: &quot;&gt;&lt;script&gt;x&lt;/script&gt;" in html  # the DECT handset's hover
        assert "Model: Linphone &lt;3.1&gt; &amp; co" in html  # the SIP terminal the binding gives
        assert 'data-key="r&amp;d &lt;lab&gt;' in html
    # the department filter offers it, escaped by the template
    assert 'name="department" value="R&amp;D &lt;lab&gt;" > R&amp;D &lt;lab&gt;</label>' in page
