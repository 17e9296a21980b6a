"""Every access to the console is a Web Sessions row: logins, failed logins, logouts."""

import pytest

from audit.models import WebAccess
from tests.voipadmin.factories import PASSWORD

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"


def test_successful_login_and_logout(client, operator):
    response = client.post(
        "/login/", {"username": "operator", "password": PASSWORD}, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.10"
    )
    assert response.status_code == 302
    client.post("/logout/", REMOTE_ADDR="192.0.2.10")
    login, logout = WebAccess.objects.order_by("time", "id")
    assert (login.outcome, login.principal, login.user, login.ip, login.user_agent) == (
        "login",
        "operator",
        operator,
        "192.0.2.10",
        BROWSER,
    )
    assert (logout.outcome, logout.principal, logout.user) == ("logout", "operator", operator)


def test_failed_login_keeps_the_entered_login_never_the_password(client, operator):
    response = client.post("/login/", {"username": "operatr", "password": "hunter2-secret"}, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    failed = WebAccess.objects.get()
    assert (failed.outcome, failed.principal, failed.entered_login, failed.ip) == (
        "login_failed",
        "operatr",
        "operatr",
        "198.51.100.4",
    )
    stored = " ".join(str(value) for value in WebAccess.objects.values_list().get())
    assert "hunter2" not in stored


def test_admin_login_is_recorded_too(client, superuser):
    client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert WebAccess.objects.filter(outcome="login", principal="root").exists()
