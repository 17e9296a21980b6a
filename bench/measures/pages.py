"""2. Every report's pages (first, filtered, last, another sort) against Django's admin changelist."""

import math
import os
from dataclasses import dataclass

from django.apps import apps

from voipadmin.reports.counting import estimate_rows

from ..harness import Row
from ..sampling import sample

TARGET_MS = 40.0
REQUESTS = 40
# The admin's changelist runs counts and scans; each of its pages gets at most this long (n said).
ADMIN_BUDGET_S = 3.0
# A page of ours far over its target gets this long too (at least 5 requests, n said), so one slow
# page does not hold the run for many minutes.
OURS_BUDGET_S = 20.0


@dataclass(frozen=True)
class Page:
    label: str
    ours: str
    admin: str | None  # None: the admin has no such page


@dataclass(frozen=True)
class Report:
    """A report's four pages: `filtered` and `sort` are query strings of ours, `admin_filtered`
    and `admin_sort` the changelist's (`o` is a 1-based index into its list_display)."""

    number: str
    title: str
    path: str
    filtered: tuple[str, str]  # (label, query)
    sort: tuple[str, str]  # (label, query)
    admin: str | None = None  # model label "app.model" of the changelist, if it has one
    admin_filtered: str | None = None
    admin_sort: str | None = None


REPORTS = [
    Report("2a", "Call Detail Records", "/cdr/", ("disposition BUSY or FAILED", "disposition=BUSY&disposition=FAILED"),
           ("sorted by duration", "o=duration"), "cdr.cdr", "disposition__in=BUSY,FAILED", "o=6"),
    Report("2b", "SIP Sessions", "/sip-sessions/", ("event AUTH_FAILED", "event=AUTH_FAILED"),
           ("sorted by username", "o=username"), "sip_sessions.sipevent", "event__exact=AUTH_FAILED", "o=3"),
    Report("2c", "Calls", "/calls/", ("disposition BUSY or FAILED", "disposition=BUSY&disposition=FAILED"),
           ("sorted by duration", "o=duration"), "cdr.cdr", "disposition__in=BUSY,FAILED", "o=6"),
    Report("2d", "Registration History", "/registration-history/", ("ended expired", "removed_reason=expired"),
           ("sorted by username", "o=username"), "registrations.registrationbinding", None, "o=2"),
    Report("2e", "Registered Accounts", "/registrations/", ("department Sales", "department=Sales"),
           ("sorted by extension", "o=extension")),
    Report("2f", "Web Sessions", "/web-sessions/", ("failed logins", "outcome=login_failed"),
           ("sorted by principal", "o=principal"), "audit.webaccess", "outcome__exact=login_failed", "o=2"),
    Report("2g", "Audit Log", "/audit/", ("action U", "action=U"),
           ("sorted by action by", "o=actor_name"), "audit.auditrecord", "action__exact=U", "o=3"),
    Report("2h", "Server Events", "/events/", ("event status", "event_type=status"),
           ("sorted by user", "o=username"), "audit.serverevent", "event_type__exact=status", "o=3"),
    Report("2i", "Configuration Changes", "/config-changes/", ("change U", "action=U"),
           ("sorted by changed by", "o=actor_name")),
    Report("2j", "Call History", "/conferences/", ("mode lecture", "mode=lecture"),
           ("sorted by owner", "o=owner"), "conferences.conferencesession", None, "o=3"),
    Report("2k", "Chat Messages", "/chat/", ("personal messages", "kind=personal"),
           ("sorted by sender", "o=sender")),
    Report("2l", "Conference Recordings", "/recordings/", ("name contains 12", "original_name=12"),
           ("sorted by size", "o=size")),
    Report("2m", "Endpoints", "/endpoints/", ("application desktop", "application=desktop"),
           ("sorted by OS", "o=os"), "conferences.endpoint", None, "o=5"),
]  # fmt: skip


def _admin_last(label: str) -> str:
    """The admin's last page number, from the same planner estimate its paginator uses."""
    pages = max(1, math.ceil((estimate_rows(apps.get_model(label).objects.all()) or 1) / 50))
    return f"?p={pages}"


def pages_of(report: Report) -> list[Page]:
    admin = f"/admin/{report.admin.replace('.', '/')}/" if report.admin else None

    def theirs(query: str | None) -> str | None:
        return f"{admin}?{query}" if admin and query else None

    return [
        Page("first page", report.path, admin),
        Page(f"filtered: {report.filtered[0]}", f"{report.path}?{report.filtered[1]}", theirs(report.admin_filtered)),
        Page("last page", f"{report.path}?page=last", admin + _admin_last(report.admin) if admin else None),
        Page(report.sort[0], f"{report.path}?{report.sort[1]}", theirs(report.admin_sort)),
    ]


def chosen() -> list[Report]:
    """The reports to measure: all, or those whose line numbers BENCH_PAGES names (`2a,2c`)."""
    wanted = {number.strip() for number in os.environ.get("BENCH_PAGES", "").split(",") if number.strip()}
    return [report for report in REPORTS if not wanted or report.number in wanted]


def run(ctx) -> None:
    client = ctx.browser()
    for report in chosen():
        for page in pages_of(report):
            ctx.log(f"  {report.title}: {page.label}")
            ours = sample(client, page.ours, requests=REQUESTS, budget_s=OURS_BUDGET_S)
            admin = (
                sample(client, page.admin, requests=REQUESTS, warmup=1, budget_s=ADMIN_BUDGET_S, minimum=2)
                if page.admin
                else None
            )
            ctx.report.add(
                Row(
                    number=report.number,
                    what=f"{report.title}, {page.label} (`{page.ours}`), server time",
                    result=ours.text() if ours.n == REQUESTS else ours.text_with_n(),
                    reference=f"admin changelist `{page.admin}`: {admin.text_with_n()}" if admin else "",
                    comparison=f"admin p95 / ours p95 = {admin.p95 / ours.p95:,.1f}x" if admin else "",
                    target=f"p95 <= {TARGET_MS:.0f} ms",
                    met=ours.p95 <= TARGET_MS,
                )
            )
    summary = sample(client, "/cdr/summary/?disposition=BUSY&disposition=FAILED")
    ctx.report.add(
        Row(
            number="2n",
            what="CDR summary strip, fetched by the list page on its own (`/cdr/summary/?disposition=...`)",
            result=summary.text(),
            note="the strip reads at most CDR_SUMMARY_ROWS rows within CDR_SUMMARY_TIMEOUT_MS; "
            "it is loaded after the list, so its time is not part of the list page's",
        )
    )
