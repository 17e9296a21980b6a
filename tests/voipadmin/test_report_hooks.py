"""Per-report hooks of the machine: a list template with extra context, export-only columns, a
detail template whose extra block shows on the page and in the panel, no DISTINCT from multi-selects."""

import csv
import datetime
import io

import pytest
from django.http import QueryDict
from django.test import Client

from tests.conftest import login_quietly
from tests.testapp.models import Probe
from tests.testapp.reports import probes
from voipadmin.reports import Column, Report, select

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


@pytest.fixture
def rows():
    return [
        Probe.objects.create(event_id=f"e{n}", time=T0 + datetime.timedelta(minutes=n), kind=kind, note=f"n{n}")
        for n, kind in enumerate(["PING", "PONG", "PING"])
    ]


def test_list_template_and_context_from_the_selection(operator_client, rows, monkeypatch):
    seen = []

    def context(selection):
        seen.append(selection.active_filters())
        return {"probe_total": selection.queryset.count(), "probe_kinds": ",".join(selection.params.getlist("kind"))}

    monkeypatch.setattr(probes, "list_template", "testapp/probe_list.html")
    monkeypatch.setattr(probes, "list_context", context)
    page = operator_client.get("/probes/?kind=PING").content.decode()
    assert "<p data-probe-total>2 probes of kind PING</p>" in page
    assert seen == [[("Kind", "Ping")]]
    broken = operator_client.get("/probes/?kind=NOPE")
    assert broken.status_code == 400 and b"data-probe-total" in broken.content and len(seen) == 1


def test_export_only_columns(support_client, rows, monkeypatch):
    monkeypatch.setattr(probes, "columns", [Column("time"), Column("kind"), Column("note", listed=False)])
    header = support_client.get("/probes/").content.decode().split("<thead>")[1].split("</thead>")[0]
    assert "Kind</a></th>" in header and "Note" not in header
    body = b"".join(support_client.get("/probes/export.csv").streaming_content).decode()
    exported = list(csv.reader(io.StringIO(body)))
    assert exported[0] == ["Time (UTC)", "Kind", "Note"] and exported[1][2] == "n2"


def test_a_column_kept_for_a_permission_is_listed_only_to_its_holders(admin_user, operator, rows, monkeypatch):
    action = Column("event_id", "Remove", sortable=False, export=False, permission=probes.delete_permission)
    monkeypatch.setattr(probes, "columns", [Column("time"), Column("kind"), action])
    admin_page = login_quietly(Client(), admin_user).get("/probes/").content.decode()
    assert '<th class="" scope="col">Remove</th>' in admin_page and ">e2</td>" in admin_page
    operator_page = login_quietly(Client(), operator).get("/probes/").content.decode()
    assert "Remove" not in operator_page and ">e2</td>" not in operator_page
    assert [column.field for column in probes.listed_columns()] == ["time", "kind"]  # no user: none of them


@pytest.mark.parametrize(
    ("column", "refusal"),
    [
        (Column("note", listed=False), "sortable but not listed"),
        (Column("note", sortable=False, permission="testapp.delete_probe"), "shown by permission but exported"),
    ],
)
def test_a_report_refuses_a_sortable_hidden_column_and_an_exported_permission_column(column, refusal):
    with pytest.raises(ValueError, match=refusal):
        Report(
            slug="refused",
            title="x",
            model=Probe,
            filterset=probes.filterset,
            columns=[Column("time"), column],
            default_order="-time",
            delete_event="delete_events",
        )


def test_detail_template_extra_block_on_page_and_in_panel(operator_client, rows, monkeypatch):
    monkeypatch.setattr(probes, "detail_template", "testapp/probe_detail.html")
    monkeypatch.setattr(probes, "detail_context", lambda row: {"sibling_count": 2})
    page = operator_client.get(f"/probes/{rows[0].pk}/").content.decode()
    assert "<html" in page and "extra for e0: 2" in page and "← Probes" in page
    panel = operator_client.get(f"/probes/{rows[0].pk}/?panel=1").content.decode()
    assert "<html" not in panel and "extra for e0: 2" in panel and "data-close-panel" in panel
    assert "Open as a page" in panel and "← Probes" not in panel


def test_multi_select_filters_add_no_distinct(support_client, rows):
    selection = select(probes, QueryDict("kind=PING&kind=PONG"))
    assert "DISTINCT" not in str(selection.queryset.query)
    exported = support_client.get("/probes/export.csv?kind=PING&kind=KEEP")
    lines = b"".join(exported.streaming_content).decode().splitlines()
    assert len(lines) == 3 and all(line.count(",") == lines[0].count(",") for line in lines)
