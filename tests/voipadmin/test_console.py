"""The console shell: login wall, menu of real reports, dashboard, preferences honoured."""

import datetime

import pytest

from audit.models import WebAccess
from tests.audit.factories import WebAccessFactory
from voipadmin.models import Preference

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/web-sessions/", "/preferences/", "/web-sessions/export.csv", "/admin/"])
def test_everything_is_behind_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/") or response["Location"].startswith("/admin/login/")


def test_menu_lists_reports_the_user_may_open(operator_client):
    page = operator_client.get("/").content.decode()
    assert 'href="/web-sessions/"' in page
    assert "Web Sessions" in page


def test_menu_hides_reports_without_the_right(client, db):
    from tests.voipadmin.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    page = client.get("/").content.decode()
    assert 'href="/web-sessions/"' not in page
    assert client.get("/web-sessions/").status_code == 403


def test_dashboard_shows_console_access(operator_client):
    WebAccessFactory(outcome=WebAccess.Outcome.LOGIN_FAILED, principal="mallory")
    page = operator_client.get("/").content.decode()
    assert "mallory" in page and "failed logins in the last 24 hours" in page


def test_preferences_are_saved_and_honoured_by_the_report(client, operator):
    WebAccessFactory(time=datetime.datetime(2026, 1, 15, 23, 30, tzinfo=datetime.UTC), principal="nightowl")
    client.force_login(operator)
    assert "2026-01-15 23:30:00" in client.get("/web-sessions/").content.decode()
    response = client.post(
        "/preferences/", {"time_zone": "Asia/Tokyo", "csv_delimiter": ";", "csv_encoding": "utf-8-sig"}
    )
    assert response.status_code == 302
    preference = Preference.objects.get(user=operator)
    assert (preference.time_zone, preference.csv_delimiter, preference.csv_encoding) == ("Asia/Tokyo", ";", "utf-8-sig")
    assert "2026-01-16 08:30:00" in client.get("/web-sessions/").content.decode()


def test_preferences_reject_unknown_zone(client, operator):
    client.force_login(operator)
    response = client.post(
        "/preferences/", {"time_zone": "Mars/Olympus", "csv_delimiter": ",", "csv_encoding": "utf-8"}
    )
    assert response.status_code == 200 and b"errors" in response.content
    assert not Preference.objects.exists()


def test_api_schema_and_docs_are_served(admin_client):
    schema = admin_client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/web-sessions/" in schema.content
    docs = admin_client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content


def test_admin_changelist_never_counts(client, superuser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    WebAccessFactory.create_batch(5)
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/audit/webaccess/?outcome__exact=login").status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
