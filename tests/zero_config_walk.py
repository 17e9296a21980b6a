"""Walks every page of the console on whatever database the environment names (run by
tests/test_zero_config.py against SQLite and the folder broker, `make run`'s own settings): each
URL of the menu, each report's list (sorted, searched, last page), every detail page, export and
delete confirmation, every page of the apps' own (accounts, diagnostics, recordings, files), the
monitoring poll and counts, and every API list with a detail of its first item. Logs in through
the login form as a person does. Prints one line per failure; exits 1 if any (a 5xx anywhere, or a
page that should answer 200 and does not)."""

import html
import os
import re
import sys
from urllib.parse import quote

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voipadmin.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver, reverse  # noqa: E402

from conferences.models import Recording, SharedFile  # noqa: E402
from registrations.models import Account  # noqa: E402
from voipadmin.menu import menu_for  # noqa: E402
from voipadmin.reports import all_reports  # noqa: E402

PASSWORD = "walk-the-console-42"
# Diagnostics pages opened: the first accounts by id and the busiest callers of the demo.
DIAGNOSTICS = 12


def _login() -> tuple[Client, object]:
    user, _ = get_user_model().objects.get_or_create(
        username="walker", defaults={"is_superuser": True, "is_staff": True}
    )
    user.set_password(PASSWORD)
    user.save()
    client = Client(raise_request_exception=False, SERVER_NAME="127.0.0.1")
    page = client.get("/login/")
    answer = client.post("/login/", {"username": "walker", "password": PASSWORD})
    if page.status_code != 200 or answer.status_code != 302:
        raise SystemExit(f"login failed: GET {page.status_code}, POST {answer.status_code}")
    return client, user


def _api_lists() -> dict[str, bool]:
    """Every list route of the API (`<name>-api-list`) that answers GET (a push-only resource, such
    as Kamailio's facts, has none) and whether it has a detail route."""
    names = set()
    readable = set()

    def walk(resolver: URLResolver) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(pattern.name)
                if "get" in getattr(pattern.callback, "actions", {"get": None}):
                    readable.add(pattern.name)

    walk(get_resolver())
    lists = sorted(name for name in readable if name.endswith("-api-list"))
    return {reverse(name): name.replace("-api-list", "-api-detail") in names for name in lists}


def _report_urls() -> list[str]:
    urls = []
    for report in all_reports():
        base = reverse(report.url_name("list"))
        urls += [base, f"{base}export.csv", f"{base}?page=last", f"{base}?q=a", f"{base}export.csv?q=a"]
        if report.chart is not None:
            # the chart's bucket expression is strftime on SQLite: every endpoint, filtered and not
            urls += [f"{base}chart/", f"{base}chart.svg", f"{base}chart.json", f"{base}chart.json?q=a"]
        urls += [f"{base}?o={'-' if index % 2 else ''}{field}" for index, field in enumerate(report.sortable_fields())]
        if report.can_delete:
            urls.append(f"{base}delete/?q=a")
        for pk in report.base_queryset().order_by().values_list("pk", flat=True)[:3]:
            urls.append(reverse(report.url_name("detail"), args=[pk]))
    return urls


def _app_pages() -> list[str]:
    """The pages of the apps' own that take an id: accounts, diagnostics, media."""
    urls = []
    accounts = list(Account.objects.order_by("pk").values_list("pk", flat=True)[:DIAGNOSTICS])
    accounts += list(
        Account.objects.exclude(pk__in=accounts).order_by("-pk").values_list("pk", flat=True)[: DIAGNOSTICS // 2]
    )
    for pk in accounts:
        urls += [reverse("account-detail", args=[pk]), reverse("monitoring:diagnostics", args=[pk])]
    for pk in Recording.objects.order_by("pk").values_list("pk", flat=True)[:2]:
        urls += [reverse(f"recording-{view}", args=[pk]) for view in ("media", "download", "delete")]
    for pk in SharedFile.objects.order_by("pk").values_list("pk", flat=True)[:2]:
        urls += [reverse(f"shared-file-{view}", args=[pk]) for view in ("download", "delete")]
    return urls


def _api_detail(list_url: str, body: dict) -> str | None:
    """The detail URL of a list's first item, when the list has one and its items carry a key."""
    results = body.get("results") if isinstance(body, dict) else body
    if not results or not isinstance(results[0], dict):
        return None
    first = results[0]
    key = first.get("session_id") if "conference" in list_url else first.get("id")
    return f"{list_url}{quote(str(key), safe='')}/" if key not in (None, "") else None


def main() -> int:
    client, user = _login()
    urls = ["/", "/preferences/", "/admin/", "/api/schema/", "/api/docs/", "/endpoints/cleanup/"]
    urls += [entry["url"] for _group, entries in menu_for(user) for entry in entries]
    urls += _report_urls() + _app_pages()
    # User Monitoring's state filter, pages, counts and poll run the state rule as SQL.
    urls += ["/monitoring/?state=RED&state=ORANGE", "/monitoring/?state=GREEN&page=last", "/monitoring/?q=a"]
    urls += ["/monitoring/changes/?since=1&state=GREY&counts=1", "/monitoring/counts/", "/monitoring/counts/?state=RED"]
    api_lists = _api_lists()
    urls += [*api_lists, *(f"{url}?page=last" for url in api_lists)]
    urls += ["/api/v1/monitoring/?state=GREEN", "/api/v1/registration-history/?state=ended"]
    failures = 0
    seen = set()
    while urls:
        url = urls.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        # a shared file's Delete is a POST-only button (405 to a GET); everything else is a page
        must_serve = not (url.startswith("/conferences/files/") and url.endswith("/delete/"))
        if response.status_code >= 500 or (must_serve and response.status_code != 200):
            failures += 1
            print(f"{response.status_code} {url}")
        elif url.endswith("export.csv") and not body.strip():
            failures += 1
            print(f"empty export {url}")
        elif response.get("Content-Type", "").startswith("text/html"):
            # fragments a page loads once shown (summary strips, state counts, the poll)
            urls += [html.unescape(part) for part in re.findall(r'data-load="([^"]+)"', body.decode())]
        elif api_lists.get(url) and response.status_code == 200:
            detail = _api_detail(url, response.json())
            if detail:
                urls.append(detail)
    failures += chart_totals(client)
    failures += api_ingest()
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


def api_ingest() -> int:
    """On SQLite too, the push endpoints store a batch once (a repeat creates nothing) and refuse
    a bad one whole, through the same parser, reader and store paths as on PostgreSQL."""
    import io

    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    call_command("create_ingest_token", "zero-config-walk", stdout=io.StringIO())
    token = Token.objects.get(user__username="ingest.zero-config-walk").key
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    sip = [
        {
            "event_id": f"walk-{n}",
            "timestamp": f"2026-11-02T10:0{n}:00+01:00",
            "event": "REGISTER",
            "username": "walk",
            "remote_ip": "203.0.113.7",
            "remote_port": 5060,
            "transport": "udp",
        }
        for n in range(3)
    ]
    cdr = [
        {
            "uniqueid": f"walk.{n}",
            "sequence": n,
            "src": "1001",
            "dst": "1002",
            "start": "2026-11-02T10:00:00Z",
            "end": "2026-11-02T10:01:00Z",
            "duration": 60,
            "billsec": 55,
            "disposition": "ANSWERED",
        }
        for n in range(3)
    ]
    failures = 0
    for path, items in (("/api/v1/sip-events/", sip), ("/api/v1/cdrs/", cdr)):
        answers = [client.post(path, items, content_type="application/json").json() for _ in range(2)]
        bad = client.post(path, [*items, {"event_id": "x"}], content_type="application/json")
        if [answer.get("created") for answer in answers] != [3, 0] or bad.status_code != 400:
            failures += 1
            print(f"ingest {path}: {answers}, bad batch {bad.status_code}")
    return failures


if __name__ == "__main__":
    sys.exit(main())
