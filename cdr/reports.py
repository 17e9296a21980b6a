"""The Call Detail Records report (seed 000 §4.0.4), as configuration of the report machine."""

from urllib.parse import urlencode

from voipadmin.reports import Column, Report
from voipadmin.reports.charts import Chart, ChartData, Series
from voipadmin.reports.links import page_url
from voipadmin.reports.units import duration_column

from .filters import CdrFilter
from .models import Cdr
from .rollup_chart import rollup_counts
from .selectors import call_legs
from .services.sip_code import sip_code_source

# The first-call steps are the card above the table (cdr/list.html); the empty row points at them.
EMPTY_HELP = "No calls recorded yet: the steps above show how to get the first one in."

# Seed 000 §4.0.4: what each disposition (the call's exit code) means.
DISPOSITION_MEANING = {
    Cdr.Disposition.ANSWERED: "the call was taken by the callee",
    Cdr.Disposition.NO_ANSWER: "nobody picked up the phone (mostly a time-out)",
    Cdr.Disposition.BUSY: "the callee refused the call",
    Cdr.Disposition.FAILED: "the call could not be placed",
}


def disposition_hint(row: Cdr) -> str:
    """`BUSY: the callee refused the call; as received: BUSY` (Asterisk's own word last)."""
    meaning = DISPOSITION_MEANING.get(row.disposition)
    code = f"{row.disposition}: {meaning}" if meaning else row.disposition
    hint = f"{code}; as received: {row.disposition_source}" if row.disposition_source else code
    if row.sip_code is not None and row.disposition_source != sip_code_source(row.sip_code):
        hint = f"{hint}; SIP {row.sip_code}"
    return hint


def cdr_detail_context(row: Cdr) -> dict:
    legs = call_legs(cdr=row)
    for leg in legs:
        leg.disposition_hint = disposition_hint(leg)
    return {"legs": legs}


def _account_history(username_path: str):
    def link(row: Cdr) -> str | None:
        account = getattr(row, username_path)
        if account is None:
            return None
        return page_url("cdr:list") + "?" + urlencode({"account": account.username})

    return link


def _whole_value(field: str):
    """The hover of a one-line cell: the whole value (a channel name is cut at the column's width)."""
    return lambda row: getattr(row, field)


def _one_line(field: str):
    """`channel` (one line, cut with an ellipsis: static/cdr/cdr.css), or `empty` for a blank cell."""
    return lambda row: "channel" if getattr(row, field) else "empty"


def call_figures(data: ChartData) -> list[tuple[str, str]]:
    """ASR (answered / all calls) and ACD (mean billsec of the answered) of the charted selection."""
    answered = data.count_of(Cdr.Disposition.ANSWERED)
    asr = f"{100 * answered / data.total:.1f} %" if data.total else "—"
    acd = f"{data.total_of(Cdr.Disposition.ANSWERED) / answered:.1f} s" if answered else "—"
    return [("ASR", asr), ("ACD", acd)]


CALLS_CHART = Chart(
    title="Calls",
    time="start",
    range_filters=("start",),
    unit="calls",
    split="disposition",
    series=[
        Series(Cdr.Disposition.ANSWERED, "Answered"),
        Series(Cdr.Disposition.NO_ANSWER, "No answer"),
        Series(Cdr.Disposition.BUSY, "Busy"),
        Series(Cdr.Disposition.FAILED, "Failed", alert=True),
    ],
    total_of="billsec",
    figures=call_figures,
    summary=rollup_counts,
)


cdr_report = Report(
    slug="cdr",
    title="Call Detail Records",
    description="Every call the PBX recorded, with Asterisk's fields. The disposition is the call's exit code: "
    "ANSWERED (taken by the callee), NO_ANSWER (nobody picked up, mostly a time-out), BUSY (the callee "
    "refused), FAILED (the call could not be placed).",
    model=Cdr,
    filterset=CdrFilter,
    columns=[
        Column("start", "Date"),
        Column("answer", listed=False, sortable=False),
        Column("end", listed=False, sortable=False),
        Column("src", "Source"),
        Column("dst", "Destination"),
        Column("disposition", hint=disposition_hint, reads=("disposition_source", "sip_code")),
        Column("disposition_source", listed=False, sortable=False),
        Column("sip_code", "SIP code", listed=False, sortable=False),
        duration_column("duration", "Duration"),
        duration_column("billsec", "Billsec"),
        Column("caller__username", "Caller", link=_account_history("caller"), reads=()),
        Column("callee__username", "Callee", link=_account_history("callee"), reads=()),
        Column("clid", "Caller ID", hint=_whole_value("clid"), css=_one_line("clid"), reads=()),
        Column("accountcode", listed=False, sortable=False),
        Column("dcontext", listed=False, sortable=False),
        Column("channel", hint=_whole_value("channel"), css=_one_line("channel"), reads=()),
        Column("dstchannel", hint=_whole_value("dstchannel"), css=_one_line("dstchannel"), reads=()),
        Column("lastapp"),
        Column("lastdata", listed=False, sortable=False),
        Column("amaflags", listed=False, sortable=False),
        Column("userfield", listed=False, sortable=False),
        Column("uniqueid", listed=False, sortable=False),
        Column("sequence", listed=False, sortable=False, negative_is_blank=True),
        Column("linkedid", listed=False, sortable=False),
        Column("peeraccount", listed=False, sortable=False),
    ],
    default_order="-start",
    delete_event="delete_cdrs",
    menu_group="Calls",
    menu_order=10,
    detail_template="cdr/detail.html",
    detail_context=cdr_detail_context,
    empty_help=EMPTY_HELP,
    # The summary strip is a fragment of its own (cdr.views.summary) the page fetches.
    list_template="cdr/list.html",
    chart=CALLS_CHART,
)
