"""/sip-sessions/: newest first, filters, the username link, the reconciliation line, export, delete."""

import csv
import datetime
import io

import pytest

from audit.models import ServerEvent
from sip_sessions.models import SipEvent
from sip_sessions.reconcile import reconcile
from tests.registrations.factories import T0, AccountFactory, BindingFactory
from tests.sip_sessions.factories import SipEventFactory

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def activity():
    """1932 on .10 (reconciled), two accounts on .20 (ambiguous), a scanner on .66 (pending)."""
    BindingFactory(account=AccountFactory(username="1932"))
    BindingFactory(account=AccountFactory(username="2001"), remote_ip="203.0.113.20")
    BindingFactory(account=AccountFactory(username="2002"), remote_ip="203.0.113.20")
    SipEventFactory(event_id="a", time=T0 + MINUTE, event="CONNECT")
    SipEventFactory(event_id="b", time=T0 + 2 * MINUTE, event="NETWORK_ERROR", details="Connection reset by peer")
    SipEventFactory(event_id="c", time=T0 + 3 * MINUTE, event="DISCONNECT", details="closed after network error")
    SipEventFactory(event_id="d", time=T0 + 4 * MINUTE, remote_ip="203.0.113.20")
    SipEventFactory(event_id="e", time=T0 + 5 * MINUTE, remote_ip="198.51.100.66", remote_port=40000)
    SipEventFactory(
        event_id="f", time=T0 + 6 * MINUTE, event="AUTH_FAILED", username="admin", remote_ip="198.51.100.66"
    )
    reconcile()


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"/sip-sessions/{query}")
    assert response.status_code == 200, response.content[:500]
    pks = [row[0] for row in response.context["rows"]]
    return list(SipEvent.objects.filter(pk__in=pks).order_by("-time").values_list("event_id", flat=True))


def test_newest_first_with_the_reconciliation_line(operator_client, activity):
    response = operator_client.get("/sip-sessions/")
    assert [SipEvent.objects.get(pk=pk).event_id for pk, _ in response.context["rows"]] == list("fedcba")
    page = response.content.decode()
    assert "Reconciliation last ran" in page and "data-bound>3<" in page
    cells = {SipEvent.objects.get(pk=pk).event_id: row for pk, row in response.context["rows"]}
    assert [cell.text for cell in cells["b"]] == [
        cells["b"][0].text,
        "NETWORK_ERROR",
        "Connection reset by peer",
        "203.0.113.10:5060/UDP",
        "1932",
        "yes",
    ]
    assert cells["b"][4].link == "/sip-sessions/?username=1932"
    assert "bound to 1932 by reconciliation" in cells["b"][5].hint
    assert [cells[key][5].text for key in "def"] == ["ambiguous", "pending", "—"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?username=1932", "cba"),
        ("?state=pending", "e"),
        ("?state=ambiguous&state=pending", "ed"),
        ("?state=reconciled", "cba"),
        ("?state=named", "f"),
        ("?event=NETWORK_ERROR&event=DISCONNECT", "cb"),
        ("?remote=203.0.113.20", "d"),
        ("?remote=198.51.100.66:40000/udp", "e"),
        ("?remote=198.51.100.", "fe"),
        ("?details=network", "c"),
        ("?time_after=2026-11-02T09:02:00&time_before=2026-11-02T09:04:00", "dcb"),
        ("?q=reset 1932", "b"),
    ],
)
def test_filters(operator_client, activity, query, expected):
    assert "".join(listed(operator_client, query)) == expected


def test_a_bad_filter_is_named(operator_client, activity):
    response = operator_client.get("/sip-sessions/?state=lost&colour=red")
    assert response.status_code == 400
    assert set(response.context["errors"]) == {"state", "colour"}


def test_detail_shows_who_was_at_the_address(operator_client, activity):
    ambiguous = SipEvent.objects.get(event_id="d")
    page = operator_client.get(f"/sip-sessions/{ambiguous.pk}/").content.decode()
    assert "2001" in page and "2002" in page and "data-evidence" in page


def test_export_is_the_filtered_selection(support_client, activity):
    response = support_client.get("/sip-sessions/export.csv?username=1932")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Date (UTC)",
        "Event",
        "Event in words",
        "Details",
        "Remote address",
        "Remote port",
        "Transport",
        "Username",
        "Reconciled",
        "Ambiguous",
        "Reconciled at (UTC)",
    ]
    # the code's meaning beside it, so a spreadsheet reads without the seed at hand
    assert rows[2][2] == "NETWORK_ERROR: a transport error (reset, unreachable, TLS failure)"
    assert [(row[1], row[4], row[5], row[6], row[8]) for row in rows[1:]] == [
        ("DISCONNECT", "203.0.113.10", "5060", "UDP", "yes"),
        ("NETWORK_ERROR", "203.0.113.10", "5060", "UDP", "yes"),
        ("CONNECT", "203.0.113.10", "5060", "UDP", "yes"),
    ]


def test_filtered_delete(admin_client, activity, django_capture_on_commit_callbacks):
    confirm = admin_client.get("/sip-sessions/delete/?state=pending&state=ambiguous")
    assert confirm.status_code == 200 and confirm.context["preview"]["deletable"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/sip-sessions/delete/?state=pending&state=ambiguous", {"expected": "2"})
    assert set(SipEvent.objects.values_list("event_id", flat=True)) == set("abcf")
    assert ServerEvent.objects.get(event_type="delete_sip_sessions").deleted_count == 2
