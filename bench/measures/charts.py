"""2o. The CDR chart of a month's range (the fragment the list page loads above its table)."""

from ..harness import Row
from ..sampling import sample

TARGET_MS = 100.0
# March 2026 of the bench's year (bench/dataset/clock.py): a whole month, 6-hour bars.
MONTH = "start_after=2026-03-01T00:00:00%2B00:00&start_before=2026-03-31T23:59:59%2B00:00"
DAY = "start_after=2026-03-10T00:00:00%2B00:00&start_before=2026-03-10T23:59:59%2B00:00"
# (what, path, whether the rollup answers it: the 100 ms target is for those)
CHARTS = [
    ("a month's range, 6-hour bars by disposition with ASR and ACD (rollup)", f"/cdr/chart/?{MONTH}", True),
    (
        "a month's range, filtered: BUSY or FAILED (rollup)",
        f"/cdr/chart/?{MONTH}&disposition=BUSY&disposition=FAILED",
        True,
    ),
    (
        "a month's range, filtered by source +39 (no rollup: the rows are counted)",
        f"/cdr/chart/?{MONTH}&src=%2B39",
        False,
    ),
    ("a day's range (10-minute bars: the rows are counted)", f"/cdr/chart/?{DAY}", False),
]


def run(ctx) -> None:
    client = ctx.browser()
    rows = ctx.scale.rows
    for label, path, rolled_up in CHARTS:
        ctx.log(f"  CDR chart: {label}")
        measured = sample(client, path, requests=30)
        ctx.report.add(
            Row(
                number="2o",
                what=f"CDR chart, {label} (`{path}`), {rows:,} rows, server time",
                result=measured.text(),
                target=f"p95 <= {TARGET_MS:.0f} ms at 10M rows" if rolled_up else "",
                met=measured.p95 <= TARGET_MS if rolled_up else None,
            )
        )
