"""Column hooks: words and class computed from the row, and columns that only the export has."""

import datetime

import pytest

from tests.testapp.models import Probe
from tests.testapp.reports import probes
from voipadmin.reports import Column
from voipadmin.reports.cells import cell
from voipadmin.reports.export import export_columns

pytestmark = pytest.mark.django_db


def test_text_and_css_hooks_replace_the_stored_value_on_the_page():
    row = Probe(event_id="x", time=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), kind="PING", value=3)
    plain = cell(probes, Column("value"), row)
    hooked = cell(probes, Column("value", text=lambda r: f"{r.value} pings", css=lambda r: "state-ok"), row)
    assert (plain.text, plain.css) == ("3", "number")
    assert (hooked.text, hooked.css) == ("3 pings", "state-ok")


def test_unlisted_columns_are_exported_but_not_shown():
    from sip_sessions.reports import sip_sessions

    listed = [column.field for column in sip_sessions.listed_columns()]
    exported = [column.path for column in export_columns(sip_sessions, "UTC")]
    assert "remote_port" not in listed and "remote_port" in exported
