"""Small things a person notices (issue 18): a favicon, status words marked like dispositions,
event types in words in the CSV, a searchable time-zone picker."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.audit.factories import ServerEventFactory
from voipadmin.models import Preference

pytestmark = pytest.mark.django_db


def test_every_page_links_the_favicon_that_exists(operator_client):
    page = operator_client.get("/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    assert href == "/static/favicon.svg"
    icon = Path(settings.BASE_DIR) / "static" / "favicon.svg"
    assert icon.read_text().startswith("<svg")


def test_status_words_are_marked_in_the_stylesheet():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "console.css").read_text()
    for word in ("AUTH_FAILED", "REJECTED", "FAILED", "NETWORK_ERROR", "login_failed"):
        assert re.search(rf"\.enum-{word}::before[^{{]*\{{ content: \"✕ \"; \}}", css) or re.search(
            rf"\.enum-{word}::before,", css
        ), word


def test_server_events_csv_has_the_event_in_words_beside_the_code(support_client):
    ServerEventFactory(event_type="login")
    response = support_client.get("/events/export.csv?event_type=login")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][1:3] == ["Event", "Event in words"]
    assert rows[1][1] == "login" and rows[1][2] and rows[1][2] != "login"


def test_time_zone_picker_searches_and_saves_only_a_real_zone(operator_client, operator):
    page = operator_client.get("/preferences/").content.decode()
    assert re.search(r'<input type="text" name="time_zone"[^>]*list="id_time_zone-choices"', page)
    assert '<datalist id="id_time_zone-choices">' in page and '<option value="Europe/Rome">' in page
    saved = operator_client.post(
        "/preferences/", {"time_zone": "Europe/Rome", "csv_delimiter": ",", "csv_encoding": "utf-8"}
    )
    assert saved.status_code == 302
    assert Preference.objects.get(user=operator).time_zone == "Europe/Rome"
    refused = operator_client.post(
        "/preferences/", {"time_zone": "Mars/Olympus", "csv_delimiter": ",", "csv_encoding": "utf-8"}
    )
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert Preference.objects.get(user=operator).time_zone == "Europe/Rome"
