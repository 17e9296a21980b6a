"""Seed 001: "you will only delete the accounts that have been selected in the input fields, but not
the ones that are currently displayed": Delete submits the filter form as it stands."""

import re

import pytest

from audit.models import WebAccess
from tests.audit.factories import WebAccessFactory

pytestmark = pytest.mark.django_db


def test_the_delete_button_belongs_to_the_filter_form(admin_client):
    WebAccessFactory.create_batch(2, principal="FID-1")
    page = admin_client.get("/web-sessions/?principal=FID-").content.decode()
    form = re.search(r'<form class="filters" method="get" action="">(.*?)</form>', page, re.S).group(1)
    button = re.search(r"<button[^>]*data-delete[^>]*>", form).group(0)
    assert 'type="submit"' in button and 'formaction="delete/"' in button
    assert 'href="delete/?' not in page  # no link that would carry the applied filter instead


def test_typed_fields_not_the_applied_filter_are_deleted(admin_client, django_capture_on_commit_callbacks):
    WebAccessFactory.create_batch(3, principal="FID-S5")
    WebAccessFactory.create_batch(2, principal="FID-S6")
    # The list shows principal=FID- (applied); the person typed FID-S5 and pressed Delete: the
    # browser sends every field of the form as it stands, blanks included.
    form = {"q": "", "principal": "FID-S5", "ip": "", "user_agent": "", "o": "-time"}
    confirm = admin_client.get("/web-sessions/delete/", form)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "FID-S5" in page and "FID-S6" not in page
    assert confirm.context["preview"]["deletable"] == 3
    assert confirm.context["filter_query"] == "principal=FID-S5"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/web-sessions/delete/?" + confirm.context["filter_query"], {"expected": "3"})
    assert sorted(WebAccess.objects.values_list("principal", flat=True)) == ["FID-S6", "FID-S6"]
