"""Walks every page of the console on whatever database the environment names (run by
tests/test_zero_config.py against SQLite): each report's list, first detail, export, sorted and
last pages, and every menu entry. Prints one line per failure; exits 1 if any."""

import html
import os
import re
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voipadmin.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from voipadmin.menu import menu_for  # noqa: E402
from voipadmin.reports import all_reports  # noqa: E402


def main() -> int:
    user, _ = get_user_model().objects.get_or_create(
        username="walker", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client(raise_request_exception=False)
    client.force_login(user)
    urls = ["/", "/preferences/", "/admin/", "/api/schema/"]
    urls += [entry["url"] for _group, entries in menu_for(user) for entry in entries]
    for report in all_reports():
        base = reverse(report.url_name("list"))
        urls += [f"{base}export.csv", f"{base}?page=last", f"{base}?q=a"]
        if report.chart is not None:
            # the chart's bucket expression is strftime on SQLite: every endpoint, filtered and not
            urls += [f"{base}chart/", f"{base}chart.svg", f"{base}chart.json", f"{base}chart.json?q=a"]
        urls += [f"{base}?o={'-' if index % 2 else ''}{field}" for index, field in enumerate(report.sortable_fields())]
        first = report.base_queryset().order_by().values_list("pk", flat=True).first()
        if first is not None:
            urls.append(reverse(report.url_name("detail"), args=[first]))
    # User Monitoring's state filter, pages and poll run the state rule as SQL.
    urls += ["/monitoring/?state=RED&state=ORANGE", "/monitoring/?state=GREEN&page=last"]
    urls += ["/monitoring/changes/?since=1&state=GREY&counts=1", "/api/v1/monitoring/?state=GREEN"]
    failures = 0
    seen = set()
    while urls:
        url = urls.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code != 200:
            failures += 1
            print(f"{response.status_code} {url}")
        elif url.endswith("export.csv") and not body.strip():
            failures += 1
            print(f"empty export {url}")
        elif response.get("Content-Type", "").startswith("text/html"):
            # fragments a page loads once shown (summary strips, state counts)
            urls += [html.unescape(part) for part in re.findall(r'data-load="([^"]+)"', body.decode())]
    failures += chart_totals(client)
    print(f"walked {len(seen)} pages, {failures} failed")
    return 1 if failures else 0


def chart_totals(client) -> int:
    """On SQLite too, a count chart's bars add up to its selection (the demo's rows are few)."""
    from voipadmin.reports.charts import narrowed

    failures = 0
    for report in all_reports():
        chart = report.chart
        if chart is None or chart.kind != "count":
            continue
        charted = client.get(reverse(report.url_name("chart-json"))).json()["total"]
        expected = narrowed(report.base_queryset(), chart).count()
        if charted != expected:
            failures += 1
            print(f"chart of {report.slug}: {charted} charted, {expected} rows")
    return failures


if __name__ == "__main__":
    sys.exit(main())
