"""Shared fixtures: real PostgreSQL (pytest-django's test database), real Redis, one Faker seed."""

import os

import factory.random
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from faker import Faker

from tests.voipadmin.factories import UserFactory

FAKER_SEED = 20261121
factory.random.reseed_random(FAKER_SEED)
Faker.seed(FAKER_SEED)

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make around
# it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _real_services():
    """Fail the run, loudly, when Redis is not there (PostgreSQL is enforced by the settings)."""
    import redis

    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        pytest.exit(f"tests need Redis: CELERY_BROKER_URL is {url!r}", returncode=3)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.exit(f"Redis at {url} does not answer: {error}", returncode=3)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _console_settings_uncached():
    """A test's saved console settings are rolled back with its data: drop their cached copy too."""
    from voipadmin.console_settings import console_settings_forget

    console_settings_forget()
    yield
    console_settings_forget()


@pytest.fixture(autouse=True)
def _report_caches_forgotten():
    """A list page's cached filter bar, counts and estimates belong to the test that made them."""
    from voipadmin.reports.caching import forget_cached_pages

    forget_cached_pages()


def _user_in(role: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def operator(db):
    return _user_in("Operators", username="operator")


@pytest.fixture
def support(db):
    return _user_in("Support", username="support")


@pytest.fixture
def admin_user(db):
    return _user_in("Admins", username="boss")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def login_quietly(client, user):
    """Log in without leaving the Web Sessions row a real login makes (tests count those rows)."""
    from audit.models import WebAccess

    before = set(WebAccess.objects.values_list("pk", flat=True))
    client.force_login(user)
    WebAccess.objects.exclude(pk__in=before).delete()
    return client


@pytest.fixture
def admin_client(client, admin_user):
    return login_quietly(client, admin_user)


@pytest.fixture
def operator_client(client, operator):
    return login_quietly(client, operator)


@pytest.fixture
def support_client(client, support):
    return login_quietly(client, support)


@pytest.fixture
def ingest_client(db):
    """An API client with the token of a machine client in the Ingest role."""
    import io

    from django.core.management import call_command
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    call_command("create_ingest_token", "pbx-tests", stdout=io.StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user__username='ingest.pbx-tests').key}")
    return client
