"""6. Retention of the oldest CDR month (a partition drop), at the full table and at a small one."""

import datetime

from django.db import connection
from django.test import override_settings

from cdr.models import Cdr
from voipadmin.partitions import _month_of, delete_older_than, next_month, partitions
from voipadmin.retention import retention_apply

from ..harness import Row, fmt_int, timed

TABLE = Cdr._meta.db_table


def months() -> list[datetime.date]:
    found = [_month_of(name, TABLE) for name, _ in partitions(Cdr)]
    return sorted(month for month in found if month is not None)


def rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return cursor.fetchone()[0]


def keep_from(month: datetime.date) -> tuple[float, int]:
    """Retention with a cutoff at the start of `month`: every older month goes. (seconds, rows removed)"""
    cutoff = datetime.datetime.combine(month, datetime.time(), tzinfo=datetime.UTC)
    now = cutoff + datetime.timedelta(days=1)
    with override_settings(RETENTION_DAYS={Cdr._meta.label: 1}), timed() as clock:
        removed = retention_apply(now=now)
    return clock["seconds"], removed.get(Cdr._meta.label, 0)


def run(ctx) -> None:
    present = months()
    if len(present) < 4:
        raise SystemExit("bench: retention needs at least four months of CDRs")
    series: list[tuple[int, float, int]] = []  # (table rows before, seconds, rows dropped)
    before = rows()
    seconds, dropped = keep_from(present[1])
    series.append((before, seconds, dropped))
    # What retention costs without partitions: the second month's rows by batched DELETE.
    second = rows()
    cutoff = datetime.datetime.combine(next_month(present[1]), datetime.time(), tzinfo=datetime.UTC)
    with timed() as deleting:
        deleted = delete_older_than(Cdr, cutoff)
    ctx.log(f"  batched DELETE of a month: {deleted:,} rows in {deleting['seconds']:.1f} s (table {second:,})")
    # Then month after month until two are left: the table shrinks, the month stays the same size.
    for month in present[3:-1]:
        size = rows()
        seconds, dropped = keep_from(month)
        series.append((size, seconds, dropped))
    first, last = series[0], series[-1]
    ctx.report.add(
        Row(
            number="6",
            what=f"retention of the oldest CDR month (`voipadmin.retention.retention_apply`: detach and drop "
            f"the partition), table of {fmt_int(first[0])} rows",
            result=f"{first[1]:.2f} s ({fmt_int(first[2])} rows dropped); the same at {fmt_int(last[0])} rows: "
            f"{last[1]:.2f} s ({fmt_int(last[2])} rows)",
            reference=f"batched DELETE of the next month's {fmt_int(deleted)} rows (`delete_older_than`, "
            f"what retention would do without partitions): {deleting['seconds']:.1f} s",
            comparison=f"{deleting['seconds'] / first[1]:,.0f}x faster than deleting; "
            f"{first[0] / last[0]:.1f}x the rows, {first[1] / last[1]:.1f}x the time",
            target="independent of table size",
            met=first[1] <= 2 * last[1] + 0.1,
            note="each drop as the table shrank (rows before: seconds): "
            + ", ".join(f"{size / 1e6:.1f}M: {seconds:.2f} s" for size, seconds, _ in series)
            + ". The time includes counting the dropped month's rows for its server event.",
        )
    )
