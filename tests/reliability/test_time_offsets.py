"""A time filter with a UTC offset PostgreSQL refuses (±16:00 or more) is a 400 naming the field, on
every list, its export, the API and the CDR summary; never a 500 or an export cut after its header."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from voipadmin.reports.definition import all_reports
from voipadmin.reports.widgets import DateTimeRangeFilter

pytestmark = pytest.mark.django_db

OFFSETS = ["+16:00", "-16:00", "+23:59"]


def _time_filters() -> list[tuple[str, str]]:
    """(report slug, first time filter) of every report that has one."""
    found = []
    for report in all_reports():
        for name, filter_ in report.filterset.base_filters.items():
            if isinstance(filter_, DateTimeRangeFilter):
                found.append((report.slug, name))
                break
    return found


def _api_routes() -> dict[str, str]:
    """report slug -> its API list URL, read from the URLconf."""
    routes: dict[str, str] = {}

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                view_class = getattr(entry.callback, "cls", None)
                report = getattr(view_class, "report", None)
                actions = getattr(entry.callback, "actions", {}) or {}
                if report is not None and actions.get("get") == "list":
                    routes.setdefault(report.slug, "/" + prefix + str(entry.pattern).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return routes


TIME_FILTERS = _time_filters()


def test_every_report_with_a_time_filter_is_covered():
    assert len(TIME_FILTERS) >= 10


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize(("slug", "name"), TIME_FILTERS)
def test_list_and_export_refuse_the_offset_by_name(admin_client, slug, name, offset):
    report = next(report for report in all_reports() if report.slug == slug)
    query = {f"{name}_after": f"2026-11-20T10:00:00{offset}"}
    for url in (reverse(report.url_name("list")), reverse(report.url_name("export"))):
        response = admin_client.get(url, query)
        assert response.status_code == 400, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert name.encode() in body and b"-15:59 and +15:59" in body, url


@pytest.mark.parametrize(("slug", "name"), TIME_FILTERS)
def test_api_refuses_the_offset_by_name(admin_client, slug, name):
    url = _api_routes().get(slug)
    if url is None:
        pytest.skip(f"{slug} has no API list")
    response = admin_client.get(url, {f"{name}_before": "2026-11-20T10:00:00-16:30"})
    assert response.status_code == 400, url
    assert response.json()["errors"][0]["field"] == name


def test_an_offset_postgres_takes_still_filters(admin_client):
    assert admin_client.get("/cdr/", {"start_after": "2026-11-20T10:00:00+15:59"}).status_code == 200


def test_cdr_summary_refuses_the_offset(admin_client):
    response = admin_client.get("/cdr/summary/", {"start_after": "2026-11-20T10:00:00+16:00"})
    assert response.status_code == 400
    assert b"start" in response.content and b"-15:59 and +15:59" in response.content
