"""Server events the console writes itself: status changes from other apps, user (de)activation."""

import pytest

from audit.models import ServerEvent
from audit.services import status_change
from tests.voipadmin.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_status_change_keeps_both_codes_and_refuses_unknown_ones():
    event = status_change(username="alice", previous_status=0, new_status=1, endpoint_id="ep-1")
    stored = ServerEvent.objects.get(pk=event.pk)
    assert (stored.event_type, stored.get_previous_status_display(), stored.get_new_status_display()) == (
        "status",
        "0 offline",
        "1 online",
    )
    with pytest.raises(ValueError, match="new_status 3"):
        status_change(username="alice", previous_status=1, new_status=3)


def test_status_from_inactive_to_offline():
    event = status_change(username="ivy", previous_status=-2, new_status=0)
    stored = ServerEvent.objects.get(pk=event.pk)
    assert (stored.previous_status, stored.new_status) == (-2, 0)
    assert (stored.get_previous_status_display(), stored.get_new_status_display()) == ("-2 inactive", "0 offline")


def test_console_user_deactivation_is_an_event():
    user = UserFactory(username="temp", first_name="Tem", last_name="Porary")
    user.is_active = False
    user.save()
    event = ServerEvent.objects.get(event_type="deactivation")
    assert (event.username, event.display_name) == ("temp", "Tem Porary")
    status = ServerEvent.objects.get(event_type="status", username="temp")
    assert (status.previous_status, status.new_status) == (0, -2)


def test_admin_login_event_names_the_application_and_administrator_type(client, superuser):
    client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    event = ServerEvent.objects.get(event_type="login")
    assert (event.application, event.admin_type, event.success) == ("admin", "sysadmin", True)
