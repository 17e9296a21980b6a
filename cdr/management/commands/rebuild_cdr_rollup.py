import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from cdr.rollup import kept, rollup_rebuild


def moment(value: str) -> datetime.datetime:
    """A date (its midnight, UTC) or an ISO time with an offset."""
    day = parse_date(value)
    if day is not None:
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        raise CommandError(
            f"--since {value!r}: give a date (2026-03-01) or a time with its offset (2026-03-01T00:00+01:00)."
        )
    return parsed


class Command(BaseCommand):
    help = (
        "Recount the CDR chart's rollup (calls and billsec per 15 minutes and disposition) from the CDRs: all "
        "of it, or the calls since --since. Triggers keep it exact as CDRs are written; this is for a rollup "
        "built by hand, after a bulk load with its triggers disabled, or to check one. See docs/charts.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", type=moment, default=None, help="Only calls started at or after this time.")

    def handle(self, *args, since=None, **options):
        if not kept():
            self.stdout.write("This database is not PostgreSQL: the CDR chart counts the rows, there is no rollup.")
            return
        started = datetime.datetime.now(datetime.UTC)
        rows = rollup_rebuild(since=since)
        seconds = (datetime.datetime.now(datetime.UTC) - started).total_seconds()
        scope = f"since {since.isoformat()}" if since else "all calls"
        self.stdout.write(f"CDR rollup rebuilt ({scope}): {rows:,} rows in {seconds:.1f} s.")
