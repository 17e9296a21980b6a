"""2. Report pages (first, filtered, last, another sort) against Django's admin changelist."""

import math
from dataclasses import dataclass

from cdr.models import Cdr
from sip_sessions.models import SipEvent
from voipadmin.reports.counting import estimate_rows

from ..harness import Row
from ..sampling import sample

TARGET_MS = 100.0
ADMIN_BUDGET_S = 60.0


@dataclass(frozen=True)
class Page:
    label: str
    ours: str
    admin: str | None  # None: the admin has no such page


def _admin_last(model) -> str:
    """The admin's last page number, from the same planner estimate its paginator uses."""
    pages = max(1, math.ceil((estimate_rows(model.objects.all()) or 1) / 50))
    return f"?p={pages}"


def pages_of(report: str) -> list[Page]:
    if report == "cdr":
        admin = "/admin/cdr/cdr/"
        return [
            Page("first page", "/cdr/", admin),
            Page("filtered: disposition BUSY or FAILED", "/cdr/?disposition=BUSY&disposition=FAILED",
                 admin + "?disposition__in=BUSY,FAILED"),
            Page("last page", "/cdr/?page=last", admin + _admin_last(Cdr)),
            Page("sorted by duration", "/cdr/?o=duration", admin + "?o=6"),  # list_display[5]
        ]  # fmt: skip
    admin = "/admin/sip_sessions/sipevent/"
    return [
        Page("first page", "/sip-sessions/", admin),
        Page("filtered: event AUTH_FAILED", "/sip-sessions/?event=AUTH_FAILED", admin + "?event__exact=AUTH_FAILED"),
        Page("last page", "/sip-sessions/?page=last", admin + _admin_last(SipEvent)),
        Page("sorted by username", "/sip-sessions/?o=username", admin + "?o=3"),  # list_display[2]
    ]


TITLES = {"cdr": "Call Detail Records", "sip": "SIP Sessions"}


def run(ctx) -> None:
    client = ctx.browser()
    rows = ctx.scale.rows
    for number, report in (("2a", "cdr"), ("2b", "sip")):
        for page in pages_of(report):
            ctx.log(f"  {TITLES[report]}: {page.label}")
            ours = sample(client, page.ours)
            admin = sample(client, page.admin, budget_s=ADMIN_BUDGET_S) if page.admin else None
            ctx.report.add(
                Row(
                    number=number,
                    what=f"{TITLES[report]} page, {page.label} (`{page.ours}`), {rows:,} rows, server time",
                    result=ours.text(),
                    reference=f"admin changelist `{page.admin}`: {admin.text_with_n()}" if admin else "",
                    comparison=f"admin p95 / ours p95 = {admin.p95 / ours.p95:,.1f}x" if admin else "",
                    target=f"p95 <= {TARGET_MS:.0f} ms at 10M rows",
                    met=ours.p95 <= TARGET_MS,
                )
            )
    summary = sample(client, "/cdr/summary/?disposition=BUSY&disposition=FAILED")
    ctx.report.add(
        Row(
            number="2c",
            what="CDR summary strip, fetched by the list page on its own (`/cdr/summary/?disposition=...`)",
            result=summary.text(),
            note="the strip reads at most CDR_SUMMARY_ROWS rows within CDR_SUMMARY_TIMEOUT_MS; "
            "it is loaded after the list, so its time is not part of the list page's",
        )
    )
