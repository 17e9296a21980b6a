"""A login that holds only the Ingest role opens no console page: every URL of the URLconf but the
API, login and logout answers 403, the pages built on rights the role holds for the API included
(an account's page, a user's diagnostics, the monitoring wall and its poll)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import login_quietly
from tests.registrations.factories import AccountFactory
from tests.voipadmin.factories import UserFactory

pytestmark = pytest.mark.django_db

CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def console_urls(account_id: int) -> list[str]:
    """Every GET-able console URL, its parameters filled with `account_id` (a real account's)."""
    urls = []

    def walk(patterns, prefix):
        for entry in patterns:
            pattern = str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + pattern)
            elif isinstance(entry, URLPattern):
                url = "/" + prefix + pattern
                if "(?" in url or "^" in url or url.startswith(("/api/v1/", "/login/", "/logout/")):
                    continue
                urls.append(CONVERTER.sub(str(account_id), url))

    walk(get_resolver().url_patterns, "")
    return sorted(set(urls))


@pytest.fixture
def ingest_login(client, db):
    user = UserFactory(username="ingest.pbx")
    user.groups.add(Group.objects.get(name="Ingest"))
    return login_quietly(client, user)


def test_the_walk_finds_the_pages_that_leaked():
    urls = console_urls(7)
    for page in ("/accounts/7/", "/monitoring/7/diagnostics/", "/monitoring/", "/cdr/", "/sip-sessions/", "/"):
        assert page in urls
    assert len(urls) > 60


def test_an_ingest_login_opens_no_console_page(ingest_login):
    account = AccountFactory(username="anna")
    opened = []
    for url in console_urls(account.pk):
        status = ingest_login.get(url).status_code
        if status != 403:
            opened.append((url, status))
    assert opened == []


def test_the_api_it_is_for_still_answers(ingest_login):
    assert ingest_login.get("/api/v1/accounts/").status_code == 200
    assert ingest_login.get("/api/v1/cdrs/").status_code == 403


def test_a_person_in_the_ingest_role_and_another_keeps_the_console(client, operator):
    operator.groups.add(Group.objects.get(name="Ingest"))
    login_quietly(client, operator)
    account = AccountFactory(username="bruno")
    assert client.get(f"/accounts/{account.pk}/").status_code == 200
    assert client.get(f"/monitoring/{account.pk}/diagnostics/").status_code == 200
