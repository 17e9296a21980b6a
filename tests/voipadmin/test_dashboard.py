"""The dashboard: each app's card shows what is happening now, from bounded queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.cdr.factories import CdrFactory
from tests.conferences.factories import SessionFactory
from tests.registrations.factories import AccountFactory, BindingFactory
from tests.sip_sessions.factories import SipEventFactory

pytestmark = pytest.mark.django_db


def test_cards_show_the_present(admin_client):
    now = timezone.now()
    BindingFactory(registered_at=now - datetime.timedelta(minutes=5))  # live
    BindingFactory(registered_at=now - datetime.timedelta(hours=3))  # expired two hours ago
    AccountFactory()
    SipEventFactory(event="NETWORK_ERROR", username="1932", details="Connection reset by peer", time=now)
    for minutes, disposition in ((5, "ANSWERED"), (10, "ANSWERED"), (15, "BUSY"), (26 * 60, "ANSWERED")):
        CdrFactory(start=now - datetime.timedelta(minutes=minutes), disposition=disposition)
    SessionFactory(title="Board meeting", started_at=now - datetime.timedelta(minutes=30), ended_at=None)
    SessionFactory(title="Yesterday", started_at=now - datetime.timedelta(days=1))

    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get("/").content.decode()
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "cdr_cdr" in q["sql"]]
    assert "1 <small>of 3 accounts online, on 1 registration</small>" in page
    assert "Connection reset by peer" in page and "?username=1932" in page
    assert "3 <small>calls</small>" in page and "66.7% answered" in page
    assert "1 <small>session running</small>" in page and "Board meeting" in page and "Yesterday" not in page


def test_cards_follow_the_viewers_rights(client, db):
    from django.contrib.auth.models import Group

    from tests.conftest import login_quietly
    from tests.voipadmin.factories import UserFactory

    user = UserFactory(username="cdr-only")
    user.user_permissions.add(*Group.objects.get(name="Operators").permissions.filter(codename="view_cdr"))
    page = login_quietly(client, user).get("/").content.decode()
    assert "Calls, last 24 hours" in page
    assert "Registered now" not in page and "SIP activity" not in page and "Conferences now" not in page
