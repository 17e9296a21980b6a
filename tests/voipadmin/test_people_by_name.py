"""People by name (issue 18): chat senders and recipients, conference owners, endpoint users,
event users and audit actors show the person's name beside the username, linked as before, in
the page's one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditRecord
from tests.audit.factories import AccountFactory
from tests.conferences.factories import ChatMessageFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_chat_shows_sender_and_recipient_by_name_in_one_query(operator_client):
    oliver = AccountFactory(username="1133", display_name="Oliver Romano")
    AccountFactory(username="1134", display_name="", first_name="Ada", last_name="Neri")
    ChatMessageFactory(sender="1133", recipient="1134")
    ChatMessageFactory(sender="guest-x", recipient=None)
    operator_client.get("/chat/")  # the first visit stores the viewer's preferences
    with CaptureQueriesContext(connection) as two_rows:
        page = operator_client.get("/chat/").content.decode()
    assert f'<a href="/accounts/{oliver.pk}/">Oliver Romano (1133)</a>' in page
    assert ">Ada Neri (1134)</a>" in page  # no display name: name and surname
    assert '<a href="/chat/?sender=guest-x">guest-x</a>' in page  # not an account: the username alone
    assert "conference chat" in page
    for n in range(6):
        AccountFactory(username=f"u{n}", display_name=f"Person {n}")
        ChatMessageFactory(sender=f"u{n}", recipient="1133")
    with CaptureQueriesContext(connection) as eight_rows:
        page = operator_client.get("/chat/").content.decode()
    assert "Person 5 (u5)" in page
    assert len(eight_rows) == len(two_rows)


def test_call_history_owner_by_name(operator_client):
    AccountFactory(username="1133", display_name="Oliver Romano")
    SessionFactory(owner="1133")
    page = operator_client.get("/conferences/").content.decode()
    assert "Oliver Romano (1133)</a>" in page


def test_audit_actor_by_name(admin_client, admin_user):
    admin_user.first_name, admin_user.last_name = "Grace", "Hopper"
    admin_user.save()
    AccountFactory(username="1133", display_name="Oliver Romano")
    AuditRecord.objects.create(actor_kind="a", actor_name="1133", action="AUTH_OK", statement="login")
    page = admin_client.get("/audit/").content.decode()
    assert "Oliver Romano (a:0:0:1133)</a>" in page
    # the admin's own login is in the log under their full name
    assert f"Grace Hopper (u:0:{admin_user.pk}:{admin_user.username})</a>" in page
    export = b"".join(admin_client.get("/audit/export.csv?action=AUTH_OK&actor_name=1133").streaming_content).decode()
    assert export.splitlines()[1].endswith(",AUTH_OK,a:0:0:1133,login,")  # the CSV keeps the seed's syntax


def test_session_page_names_invitees_and_chat_senders(operator_client):
    from conferences.models import Invitation
    from tests.conferences.factories import ParticipationFactory

    AccountFactory(username="1133", display_name="Oliver Romano")
    AccountFactory(username="1134", display_name="Ada Neri")
    session = SessionFactory(owner="1133")
    ParticipationFactory(session=session, participant="1134", display_name="")
    Invitation.objects.create(
        event_id="inv-1", session=session, time=session.started_at, inviter="1133", inviter_kind="user", invitee="1134"
    )
    ChatMessageFactory(session=session, sender="1133", recipient=None, text="hello")
    page = operator_client.get(f"/conferences/{session.session_id}/").content.decode()
    participants = page.split("data-participants")[1].split("</table>")[0]
    assert ">Ada Neri</a>" in participants
    invitations = page.split("data-invitations")[1].split("</table>")[0]
    assert ">Oliver Romano (1133)</a>" in invitations and ">Ada Neri (1134)</a>" in invitations
    chat = page.split("data-chat>")[1].split("</ol>")[0]
    assert ">Oliver Romano (1133)</a>: hello" in chat
