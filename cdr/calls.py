"""Call Detail Records as calls: one row per call (FreePBX's habit), the call's legs inside the row.

A call is Asterisk's `linkedid`: every leg of one call carries the uniqueid of the channel that
started it. The row of a call is that first leg (uniqueid = linkedid, its lowest sequence; a record
without a linkedid is a call of its own), so the list is the per-leg table filtered, and pages walk
the same (start, id) index by keyset as the per-leg list; the legs are one aggregate subquery on
the linkedid index, in the page's one query.

Direction comes from the accounts the importer already matched on the first leg: caller and
callee both accounts -> internal; only the caller -> outbound; only the callee -> inbound; neither
-> external (a transit call, or numbers the console does not know).
"""

from django.db import connections, models, router
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat

from voipadmin.reports import Column, Report
from voipadmin.reports.units import duration_column

from .filters import CdrFilter
from .models import Cdr
from .reports import cdr_detail_context

DIRECTION = Case(
    When(caller__isnull=False, callee__isnull=False, then=Value("internal")),
    When(caller__isnull=False, then=Value("outbound")),
    When(callee__isnull=False, then=Value("inbound")),
    default=Value("external"),
    output_field=CharField(),
)


def _legs(ordered: bool) -> Subquery:
    """`100 → 200 ANSWERED 60 s; 200 → 300 NO_ANSWER 0 s`: every leg of the row's call."""
    leg = Concat(
        "src",
        Value(" → "),
        "dst",
        Value(" "),
        "disposition",
        Value(" "),
        Cast("billsec", TextField()),
        Value(" s"),
        output_field=TextField(),
    )
    options = {"order_by": ("start", "id")} if ordered else {}
    legs = (
        Cdr.objects.filter(linkedid=OuterRef("linkedid"))
        .order_by()
        .values("linkedid")
        .annotate(text=StringAgg(leg, delimiter=Value("; "), **options))
        .values("text")
    )
    return Subquery(legs, output_field=TextField())


def _leg_count() -> Subquery:
    counted = Cdr.objects.filter(linkedid=OuterRef("linkedid")).order_by().values("linkedid").annotate(n=Count("id"))
    return Subquery(counted.values("n"))


def calls_queryset() -> QuerySet:
    # SQLite (the embedded default) has no ORDER BY inside an aggregate before 3.44.
    ordered = connections[router.db_for_read(Cdr)].vendor == "postgresql"
    earlier = Cdr.objects.filter(uniqueid=OuterRef("uniqueid"), sequence__lt=OuterRef("sequence"))
    first_legs = Cdr.objects.filter(Q(linkedid="") | (Q(uniqueid=F("linkedid")) & ~Exists(earlier)))
    return first_legs.annotate(direction=DIRECTION, legs=_legs(ordered), leg_count=_leg_count())


calls_report = Report(
    slug="calls",
    title="Calls",
    description="One row per call: the legs of a call (Asterisk's linked ID) inside its row, with the call's "
    "direction (internal: both ends are accounts; outbound: only the caller; inbound: only the callee; "
    "external: neither). Call Detail Records keeps one row per leg.",
    model=Cdr,
    filterset=CdrFilter,
    queryset=calls_queryset,
    columns=[
        Column("start", "Date"),
        Column("src", "From"),
        Column("dst", "To"),
        Column("direction", "Direction", output=models.CharField(), text=lambda row: row.direction, reads=()),
        Column("disposition"),
        duration_column("duration", "Duration"),
        Column("leg_count", "Legs", output=models.IntegerField(), text=lambda row: str(row.leg_count or 1), reads=()),
        Column("legs", "Legs of the call", output=models.TextField(), text=lambda row: row.legs or "", reads=()),
    ],
    default_order="-start",
    delete_event="delete_cdrs",
    can_delete=False,
    menu_group="Calls",
    menu_order=11,
    detail_template="cdr/detail.html",
    detail_context=cdr_detail_context,
    empty_help="No calls recorded yet: see Call Detail Records for how to get the first one in.",
)
