"""50 wrong passwords at once, over HTTP against the live server: at most N reach the password check."""

import concurrent.futures
import http.cookiejar
import re
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


def _post(base: str, opener, token: str, n: int) -> str:
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "operator", "password": f"guess{n}"})
    request = urllib.request.Request(  # noqa: S310 - the live server's http URL
        f"{base}/login/",
        data=body.encode(),
        headers={"Referer": f"{base}/login/", "X-Forwarded-For": f"203.0.113.{n % 250}"},
    )
    return opener.open(request, timeout=60).read().decode()


def test_fifty_parallel_wrong_passwords(live_server, operator, settings):
    settings.LOGIN_LOCKOUT_THRESHOLD = 5
    base = live_server.url
    clients = [_prepared(base) for _ in range(ATTEMPTS)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        pages = list(pool.map(lambda n: _post(base, *clients[n], n), range(ATTEMPTS)))

    checked = WebAccess.objects.filter(outcome="login_failed", principal="operator").count()
    refused = WebAccess.objects.filter(outcome="locked", principal="operator").count()
    print(f"\nparallel lockout: {ATTEMPTS} attempts, {checked} passwords checked, {refused} refused as locked")
    assert checked + refused == ATTEMPTS
    assert 1 <= checked <= 5
    assert sum("This login is locked" in page for page in pages) == refused
    assert LoginLockout.objects.get(username="operator").is_locked
    assert ServerEvent.objects.filter(event_type="lock", username="operator").count() == 1
