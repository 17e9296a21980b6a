"""Seed 001: every listed column of every report sorts by its header, both ways, stably.

The demo fills every report; for each listed column the first page sorted ascending and descending
must be the rows Python puts first when it sorts the whole selection by (value, key), NULLs last
ascending and first descending (PostgreSQL's default, the one the keyset pages keep).
"""

import ipaddress

import pytest
from django.core.management import call_command
from django.db import models

from voipadmin.reports import all_reports
from voipadmin.reports.cells import resolve

pytestmark = pytest.mark.django_db(transaction=False)
# The buttons of Recordings (play, download, delete): links, not data a person sorts by.
NOT_DATA = {("recordings", "Playback"), ("recordings", "Download"), ("recordings", "Delete")}


@pytest.fixture
def demo(django_db_blocker):
    call_command("seed_demo", scale=0.02, seed=7, verbosity=0)


def _key(field: models.Field, value):
    if isinstance(value, models.Model):
        value = value.pk
    if isinstance(field, models.GenericIPAddressField) and value is not None:
        return ipaddress.ip_address(value)
    return value


def _expected(report, column, rows, descending: bool, size: int) -> list:
    field = column.model_field(report.model)
    values = [(row.pk, _key(field, resolve(row, column.field))) for row in rows]
    present = sorted((item for item in values if item[1] is not None), key=lambda item: (item[1], item[0]))
    ordered = [pk for pk, _ in present] + sorted(pk for pk, value in values if value is None)
    if descending:
        ordered.reverse()
    return ordered[:size]


def test_every_listed_column_of_every_report_sorts_both_ways(admin_client, demo, settings):
    settings.REPORT_PAGE_SIZE = 15
    walked = []
    for report in all_reports():
        if report.model._meta.app_label == "testapp":
            continue
        rows = list(report.with_related(report.base_queryset()))
        for column in report.listed_columns(None):
            title = column.title(report.model)
            if (report.slug, title) in NOT_DATA:
                assert not column.sortable
                continue
            assert column.sortable, f"{report.slug}: {title} cannot be sorted"
            field = column.model_field(report.model)
            pages = {}
            for descending in (False, True):
                order = f"-{column.field}" if descending else column.field
                response = admin_client.get(f"/{report.slug}/?o={order}")
                assert response.status_code == 200, (report.slug, order)
                pages[descending] = [pk for pk, _ in response.context["rows"]]
                if not isinstance(field, models.JSONField):  # jsonb's own order: checked by reversal below
                    assert pages[descending] == _expected(report, column, rows, descending, 15), (report.slug, order)
            if isinstance(field, models.JSONField) and len(rows) <= 15:
                assert pages[True] == list(reversed(pages[False])), report.slug
            walked.append((report.slug, column.field, len(rows)))
    slugs = {slug for slug, _, _ in walked}
    assert {"cdr", "sip-sessions", "registrations", "events", "recordings", "endpoints", "audit"} <= slugs
    assert len(walked) >= 60
