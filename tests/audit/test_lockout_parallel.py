"""50 wrong passwords at once, over HTTP against the live server: at most N reach the password check."""

import concurrent.futures
import http.client
import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from audit.models import LoginLockout, ServerEvent, WebAccess

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 50


def _prepared(base: str):
    """A client with its own cookie jar and CSRF token, ready to post the login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return opener, token


def _post(base: str, opener, token: str, n: int, start: threading.Barrier) -> str:
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "operator", "password": f"guess{n}"})
    request = urllib.request.Request(  # noqa: S310 - the live server's http URL
        f"{base}/login/",
        data=body.encode(),
        headers={"Referer": f"{base}/login/", "X-Forwarded-For": f"203.0.113.{n % 250}"},
    )
    start.wait()
    for retry in range(5):
        try:
            return opener.open(request, timeout=60).read().decode()
        except (ConnectionError, http.client.RemoteDisconnected, urllib.error.URLError):
            # the test server's listen backlog (10) overflowed: the request never reached Django
            time.sleep(0.1 * (retry + 1))
    raise AssertionError(f"attempt {n} got no answer")


def test_fifty_parallel_wrong_passwords(live_server, operator, settings):
    settings.LOGIN_LOCKOUT_THRESHOLD = 5
    base = live_server.url
    clients = [_prepared(base) for _ in range(ATTEMPTS)]
    start = threading.Barrier(ATTEMPTS)
    with concurrent.futures.ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        pages = list(pool.map(lambda n: _post(base, *clients[n], n, start), range(ATTEMPTS)))

    checked = WebAccess.objects.filter(outcome="login_failed", principal="operator").count()
    refused = WebAccess.objects.filter(outcome="locked", principal="operator").count()
    print(f"\nparallel lockout: {ATTEMPTS} attempts, {checked} passwords checked, {refused} refused as locked")
    assert checked + refused == ATTEMPTS
    assert 1 <= checked <= 5
    assert sum("This login is locked" in page for page in pages) == refused
    assert LoginLockout.objects.get(username="operator").is_locked
    assert ServerEvent.objects.filter(event_type="lock", username="operator").count() == 1


def test_fifty_parallel_attempts_on_their_own_database_connections(operator, settings, monkeypatch):
    from django.contrib.auth import authenticate
    from django.contrib.auth.backends import ModelBackend
    from django.db import connection

    settings.LOGIN_LOCKOUT_THRESHOLD = 5
    checked = []
    original = ModelBackend.authenticate

    def counting(self, *args, **kwargs):
        checked.append(1)  # list.append is atomic under the GIL
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    start = threading.Barrier(ATTEMPTS)

    def attempt(n: int):
        start.wait()
        try:
            return authenticate(None, username="operator", password=f"guess{n}")
        except Exception as error:  # the lock refuses with PermissionDenied inside authenticate
            return error
        finally:
            connection.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(attempt, range(ATTEMPTS)))
    print(f"\nparallel lockout (DB connections): {ATTEMPTS} attempts, {len(checked)} passwords checked")
    assert all(result is None for result in results)
    assert 1 <= len(checked) <= 5
    assert LoginLockout.objects.get(username="operator").failures == ATTEMPTS
