"""Reads of CDRs that take more than one ORM call: an account's calls, a call's legs, a summary."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError
from django.db.models import Avg, Count, Q, QuerySet

from voipadmin.reports.counting import capped_count, time_limited

from .models import Cdr
from .services.store import SAME_CALL_WINDOW

logger = logging.getLogger(__name__)
NEWEST = ("-start", "-id")
# Legs of one call start within this window of each other (a transfer of a long call included).
LEG_WINDOW = datetime.timedelta(days=1)


def stored_same_call(*, uniqueid: str, sequence: int, start: datetime.datetime) -> Cdr | None:
    """The stored record with this identity and a start within SAME_CALL_WINDOW, if any."""
    nearby = (start - SAME_CALL_WINDOW, start + SAME_CALL_WINDOW)
    return Cdr.objects.filter(uniqueid=uniqueid, sequence=sequence, start__range=nearby).order_by("start").first()


def account_recent_calls(*, account, limit: int = 20) -> list[Cdr]:
    """The account's calls as caller or callee, newest first.

    Two index range scans (caller, start) and (callee, start) of at most `limit` rows each, merged
    here: never all of a busy account's calls. (A UNION of two limited subqueries would say the
    same, but SQLite, the zero-configuration database, refuses LIMIT inside a compound SELECT.)
    """
    as_caller = list(Cdr.objects.filter(caller=account).order_by(*NEWEST)[:limit])
    as_callee = list(Cdr.objects.filter(callee=account).order_by(*NEWEST)[:limit])
    merged = {cdr.pk: cdr for cdr in as_caller + as_callee}.values()
    return sorted(merged, key=lambda cdr: (cdr.start, cdr.pk), reverse=True)[:limit]


def call_legs(*, cdr: Cdr, limit: int = 50) -> list[Cdr]:
    """The other records of the same call: same linkedid (Asterisk 1.8+), else same uniqueid.

    Searched within LEG_WINDOW of this record's start, so only that month's partitions are read.
    """
    if cdr.linkedid:
        same_call = Q(linkedid=cdr.linkedid)
    elif not cdr.uniqueid.startswith("line-"):
        same_call = Q(uniqueid=cdr.uniqueid)
    else:
        return []
    window = (cdr.start - LEG_WINDOW, cdr.start + LEG_WINDOW)
    legs = Cdr.objects.filter(same_call, start__range=window).exclude(pk=cdr.pk)
    return list(legs.select_related("caller", "callee").order_by("start", "id")[:limit])


@dataclass(frozen=True)
class CallSummary:
    """Figures for a filtered selection. Not `exact`: `answered_share` and `average_billsec` are over
    the newest `sample` calls only; `calls` is then counted up to a cap: exact when `calls_exact`,
    else at least that many (shown "N+"). Never the planner's guess."""

    calls: int
    answered: int
    sample: int
    average_billsec: float | None
    exact: bool
    calls_exact: bool = True

    @property
    def calls_text(self) -> str:
        return f"{self.calls:,}" if self.calls_exact else f"{self.calls:,}+"

    @property
    def answered_percent(self) -> float | None:
        return 100 * self.answered / self.sample if self.sample else None


def _figures(queryset: QuerySet, rows: int) -> dict:
    newest = queryset.order_by(*NEWEST)[:rows]
    answered = Q(disposition=Cdr.Disposition.ANSWERED)
    figures = newest.aggregate(
        sample=Count("pk"), answered=Count("pk", filter=answered), average_billsec=Avg("billsec", filter=answered)
    )
    figures["more"] = figures["sample"] >= rows and queryset.order_by(*NEWEST)[rows : rows + 1].exists()
    return figures


def cdr_summary(*, queryset: QuerySet, rows: int, timeout_ms: int, count_cap: int | None = None) -> CallSummary | None:
    """Calls, answered share and average billsec of answered calls for a selection, bounded.

    Reads at most `rows` + 1 rows along the start index (the page's own order): exact when the
    selection is that small, else over its newest `rows` calls, with the calls counted exactly up to
    `count_cap` (CDR_SUMMARY_COUNT_CAP) in the same time budget ("N+" past the cap or the budget).
    On PostgreSQL the reads get `timeout_ms`; a selection too sparse to sample in that time gives
    None (the page says so) rather than a slow page.
    """
    try:
        # The timeout is set where the reads go (the replica, when the page reads there).
        with time_limited(queryset.db, timeout_ms):
            figures = _figures(queryset, rows)
    except OperationalError as error:
        logger.info("CDR summary skipped: %s", error)
        return None
    if figures["more"]:
        cap = settings.CDR_SUMMARY_COUNT_CAP if count_cap is None else count_cap
        count = capped_count(
            queryset, cap=max(cap, figures["sample"]), at_least=figures["sample"], timeout_ms=timeout_ms
        )
        return CallSummary(
            calls=count.value,
            calls_exact=count.exact,
            answered=figures["answered"],
            sample=figures["sample"],
            average_billsec=figures["average_billsec"],
            exact=False,
        )
    return CallSummary(
        calls=figures["sample"],
        answered=figures["answered"],
        sample=figures["sample"],
        average_billsec=figures["average_billsec"],
        exact=True,
    )
