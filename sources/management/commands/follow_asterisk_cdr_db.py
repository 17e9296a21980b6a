import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cdr.services.asterisk_csv import RecordError, zone_named
from sources.asterisk_db import BATCH_ROWS, CdrDbFollower, CdrTable, Problem, SourceError, connect, source_name


class Command(BaseCommand):
    help = (
        "Follow Asterisk's CDR table (cdr_pgsql, cdr_adaptive_odbc) in PostgreSQL or MySQL/MariaDB: every new "
        "row is stored as a CDR, with the cursor in the same transaction, so a restart neither skips nor "
        "doubles. Asterisk's schema with start/answer/end, or the older calldate one. See docs/sources-asterisk.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="postgres://user:pass@host/asterisk or mysql://...")
        parser.add_argument("--table", default="cdr", help="The CDR table (default cdr).")
        parser.add_argument(
            "--timezone",
            default=None,
            help="Zone of the table's naive times (default TIME_ZONE); UTC when cdr_pgsql has timezone=UTC or "
            "cdr_adaptive_odbc usegmtime=yes.",
        )
        parser.add_argument("--once", action="store_true", help="Store what is there now and stop.")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls.")
        parser.add_argument("--batch-size", type=int, default=BATCH_ROWS, help="Rows per transaction.")
        parser.add_argument(
            "--lookback",
            type=int,
            default=None,
            help="How far behind the newest stored row each poll reads again, for rows committed late: ids "
            "(default 1000) when the table has an id column, else seconds of end (default 600) or of calldate "
            "(default 3600: at least the longest call).",
        )

    def handle(self, *args, url, table, timezone, once, interval, batch_size, lookback, **options):
        try:
            zone = zone_named(timezone or settings.TIME_ZONE)
        except RecordError as error:
            raise CommandError(str(error)) from None
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            source = CdrTable(connect(url), table)
        except SourceError as error:
            raise CommandError(str(error)) from None

        def report(problem: Problem) -> None:
            self.stderr.write(f"{table} row {source.key}={problem.key}: {problem.reason}")

        follower = CdrDbFollower(
            table=source, source=source_name(url, table), zone=zone, batch_size=batch_size, lookback=lookback,
            on_problem=report,
        )  # fmt: skip
        self.stdout.write(f"following {table} by {source.key} (Ctrl-C stops)")
        stopping = []
        previous = signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        try:
            while not stopping:
                outcome = follower.poll()
                if outcome.created or outcome.problems:
                    self.stdout.write(
                        f"{outcome.read} rows read: {outcome.created} new; {len(outcome.problems)} not stored"
                    )
                if once:
                    break
                time.sleep(interval)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
