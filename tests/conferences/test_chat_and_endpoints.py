"""/chat/ (every message, filters, links) and /endpoints/ (search over every field, clean-up)."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditRecord, ServerEvent
from conferences.models import Endpoint, Participation
from registrations.models import Account
from tests.conferences.factories import T0, ChatMessageFactory, EndpointFactory, ParticipationFactory, SessionFactory
from tests.conftest import login_quietly

pytestmark = pytest.mark.django_db


def shown(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-pk="(\d+)"', response.content.decode())]


@pytest.fixture
def chat():
    session = SessionFactory(session_id="S1")
    return {
        "hello": ChatMessageFactory(session=session, sender="anna", text="hello all", time=T0),
        "reply": ChatMessageFactory(session=session, sender="bob", text="hi", time=T0 + datetime.timedelta(minutes=1)),
        "dm": ChatMessageFactory(
            session=None, sender="anna", recipient="bob", text="psst", time=T0 + datetime.timedelta(hours=2)
        ),
        "old": ChatMessageFactory(
            session=None, sender="carl", recipient="anna", text="yesterday", time=T0 - datetime.timedelta(days=1)
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["dm", "reply", "hello", "old"]),
        ("sender=anna", ["dm", "hello"]),
        ("recipient=bob", ["dm"]),
        ("session=S1", ["reply", "hello"]),
        ("kind=personal", ["dm", "old"]),
        ("kind=conference", ["reply", "hello"]),
        ("time_after=2026-11-02T00:00&time_before=2026-11-02T09:30", ["reply", "hello"]),
        ("q=anna psst", ["dm"]),
        ("o=time", ["old", "hello", "reply", "dm"]),
    ],
)
def test_chat_filters(operator_client, chat, query, expected):
    response = operator_client.get(f"/chat/?{query}")
    assert response.status_code == 200
    assert shown(response) == [chat[name].pk for name in expected]


def test_chat_links_to_people_and_the_session(operator_client, chat):
    page = operator_client.get("/chat/").content.decode()
    assert 'href="/conferences/S1/"' in page
    assert 'href="/chat/?sender=anna"' in page and 'href="/chat/?recipient=bob"' in page
    assert "conference chat" in page


def test_the_history_of_bob_does_not_list_bobby(operator_client, chat):
    bobby = ChatMessageFactory(session=None, sender="bobby", recipient="bobby2", text="me", time=T0)
    page = operator_client.get("/chat/").content.decode()
    assert '<a href="/chat/?sender=bob">bob</a>' in page and '<a href="/chat/?recipient=bob">bob</a>' in page
    assert shown(operator_client.get("/chat/?sender=bob")) == [chat["reply"].pk]
    assert shown(operator_client.get("/chat/?recipient=bob")) == [chat["dm"].pk]
    assert shown(operator_client.get("/chat/?recipient=BOB")) == [chat["dm"].pk]
    assert bobby.pk in shown(operator_client.get("/chat/?q=bob"))


@pytest.mark.urls("tests.conferences.profile_urls")
def test_chat_links_to_profiles(operator_client, chat):
    bob = Account.objects.create(username="bob")
    page = operator_client.get("/chat/?recipient=bob").content.decode()
    assert f'href="/accounts/{bob.pk}/"' in page


def test_chat_delete_records_its_event(admin_client, chat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/chat/delete/?kind=personal")
    assert ServerEvent.objects.get(event_type="delete_chat_messages").deleted_count == 2
    assert {row.pk for row in chat.values()} - {chat["dm"].pk, chat["old"].pk} == set(
        chat["hello"].__class__.objects.values_list("pk", flat=True)
    )


@pytest.fixture
def endpoints():
    return {
        "guest-web": EndpointFactory(
            endpoint_id="web-77", username="#guest:77", logged_user="", application="WebClient", os="Linux", cpu=""
        ),
        "user-web": EndpointFactory(endpoint_id="web-12", username="anna", application="webclient", os="macOS"),
        "guest-app": EndpointFactory(endpoint_id="ep-3", username="#guest:3", application="TrueConf Desktop"),
        "room": EndpointFactory(
            endpoint_id="ep-4", username="room1", application="TrueConf Room", system_info={"gpu": "Intel UHD 630"}
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("webclient guest", ["guest-web"]),
        ("WEBCLIENT", ["guest-web", "user-web"]),
        ("guest", ["guest-web", "guest-app"]),
        ("10.1.2", ["guest-web", "user-web", "guest-app", "room"]),
        ("uhd 630", ["room"]),
        ("webclient macos anna", ["user-web"]),
        ("nothing-like-this", []),
    ],
)
def test_endpoint_quick_search_ands_words_over_every_field(operator_client, endpoints, query, expected):
    response = operator_client.get("/endpoints/", {"q": query, "o": "-last_seen"})
    assert response.status_code == 200
    assert sorted(shown(response)) == sorted(endpoints[name].pk for name in expected)


def test_endpoint_detail_is_the_connection_properties(operator_client, endpoints):
    endpoint = endpoints["user-web"]
    ParticipationFactory(session=SessionFactory(session_id="S5", title="Board"), endpoint=endpoint)
    page = operator_client.get(f"/endpoints/{endpoint.pk}/").content.decode()
    for text in ("webclient", "8.5.2", "macOS", "Intel Core i5-1240P", "10.1.2.3", 'href="/conferences/S5/"'):
        assert text in page


def test_delete_endpoints_older_than_n_days(admin_client, operator, endpoints):
    now = timezone.now()
    Endpoint.objects.filter(pk=endpoints["room"].pk).update(last_seen=now - datetime.timedelta(days=200))
    Endpoint.objects.filter(pk=endpoints["guest-app"].pk).update(last_seen=now - datetime.timedelta(days=100))
    used = ParticipationFactory(endpoint=endpoints["room"])
    assert login_quietly(Client(), operator).get("/endpoints/cleanup/").status_code == 403

    form = admin_client.get("/endpoints/cleanup/")
    assert form.status_code == 200 and b'value="180"' in form.content
    assert re.search(rb"data-cleanup-count>\s*1\s", form.content)
    assert admin_client.get("/endpoints/cleanup/?days=0").status_code == 400
    assert admin_client.get("/endpoints/cleanup/?days=many").status_code == 400

    response = admin_client.post("/endpoints/cleanup/", {"days": "90"})
    assert response.status_code == 302
    assert set(Endpoint.objects.values_list("endpoint_id", flat=True)) == {"web-77", "web-12"}
    event = ServerEvent.objects.get(event_type="delete_connections")
    assert event.deleted_count == 2 and event.real_user_id == "boss"
    assert AuditRecord.objects.get(action="D").details["deleted"] == 2
    # the connection history stays, without its endpoint (ON DELETE SET NULL in the database)
    used.refresh_from_db()
    assert used.endpoint is None and Participation.objects.filter(pk=used.pk).exists()


def test_the_cleanup_action_is_offered_only_to_who_may_use_it(admin_client, operator, endpoints):
    action = b'<a class="button" href="/endpoints/cleanup/">Delete old endpoints'
    assert action in admin_client.get("/endpoints/").content
    page = login_quietly(Client(), operator).get("/endpoints/")
    assert page.status_code == 200 and b"/endpoints/cleanup/" not in page.content
    assert b"Delete old endpoints" not in page.content
