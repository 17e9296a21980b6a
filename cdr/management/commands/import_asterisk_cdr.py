import codecs
import os
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cdr.services.asterisk_csv import RecordError, zone_named
from cdr.services.asterisk_layouts import columns_named
from cdr.services.import_asterisk import BATCH_RECORDS
from sources.asterisk_csv import CursorMoved, FileLayout, ImportOutcome, MasterCsvFollower, Problem, master_csv_import


class Command(BaseCommand):
    help = (
        "Import call detail records from Asterisk's Master.csv (cdr_csv), as Asterisk writes it: 16 to 21 "
        "columns (uniqueid, userfield, newcdrcolumns), local or GMT times; a cdr_custom file with --columns; "
        "a rotated .gz as it is. Importing a file again adds nothing; a broken line is reported with its number "
        "and skipped. --follow keeps reading the file as Asterisk appends to it and resumes where it stopped "
        "after a restart. See docs/sources-asterisk.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file, e.g. /var/log/asterisk/cdr-csv/Master.csv")
        parser.add_argument(
            "--timezone",
            default=None,
            help="Zone the file's times are in (default: TIME_ZONE). Use UTC when cdr.conf has usegmtime=yes.",
        )
        parser.add_argument(
            "--columns",
            default=None,
            help="A cdr_custom / cdr_sqlite3_custom layout: 'cdr_custom' (the sample template), the CDR field "
            "names in order (clid,src,...,sequence), or the template itself from cdr_custom.conf.",
        )
        parser.add_argument(
            "--encoding",
            default=None,
            help="The file's encoding, e.g. latin-1 (default: UTF-8, and cp1252 for a line that is not UTF-8).",
        )
        parser.add_argument("--follow", action="store_true", help="Keep reading new records as they are written.")
        parser.add_argument("--batch-size", type=int, default=BATCH_RECORDS, help="Records per transaction.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks at a followed file.")

    def handle(self, *args, path: str, timezone: str | None, follow: bool, batch_size: int, interval: float, **opts):
        zone = self._layout(timezone, opts["columns"], opts["encoding"])
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.encoding = opts["encoding"]

        def report(problem: Problem) -> None:
            self.stderr.write(f"{problem.path or path}:{problem.line}: {problem.reason}")

        if follow:
            if path.endswith(".gz"):
                raise CommandError(f"{path} is a rotated, compressed file: import it without --follow.")
            if os.path.isdir(path):
                raise CommandError(f"{path} is a directory; give the file, e.g. {path.rstrip('/')}/Master.csv.")
            try:
                self._follow(path, zone, batch_size, max(interval, 0.05), report)
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror or error}") from None
            return
        if not os.path.isfile(path):
            raise CommandError(f"{path}: no such file.")
        try:
            outcome = master_csv_import(path=path, zone=zone, batch_size=batch_size, on_problem=report)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        self.stdout.write(self._summary(outcome))
        if outcome.problems:
            raise CommandError(f"{len(outcome.problems)} line(s) not imported (listed above); the rest was.")

    def _layout(self, timezone: str | None, columns: str | None, encoding: str | None) -> FileLayout:
        try:
            zone = zone_named(timezone or settings.TIME_ZONE)
            named = columns_named(columns) if columns else None
        except RecordError as error:
            raise CommandError(str(error)) from None
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise CommandError(f"unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1)") from None
        return FileLayout(zone=zone, columns=named, encoding=encoding)

    def _summary(self, outcome: ImportOutcome) -> str:
        repeated = f", {outcome.repeated} repeated in the file" if outcome.repeated else ""
        if self.encoding:
            read_as = f"read as {self.encoding}"
        elif outcome.not_utf8:
            read_as = f"read as UTF-8, {outcome.not_utf8} record(s) not UTF-8 read as cp1252"
        else:
            read_as = "read as UTF-8"
        return (
            f"{outcome.records} records: {outcome.created} new, {outcome.unchanged} already stored{repeated}; "
            f"{len(outcome.problems)} broken line(s); {read_as}"
        )

    def _follow(self, path, zone, batch_size, interval, report) -> None:
        """Poll until Ctrl-C or SIGTERM; each batch is committed with the cursor, so a stop at any
        moment loses nothing."""
        stopping = []
        previous = signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        follower = MasterCsvFollower(
            path=path, zone=zone, batch_size=batch_size, on_problem=report, on_note=lambda text: self.stderr.write(text)
        )
        self.stdout.write(f"following {follower.path} from line {follower.cursor.line + 1} (Ctrl-C stops)")
        try:
            while not stopping:
                outcome = follower.poll()
                if outcome.records or outcome.problems:
                    self.stdout.write(self._summary(outcome))
                else:
                    time.sleep(interval)
        except CursorMoved as error:
            raise CommandError(str(error)) from None
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write(f"stopped after line {follower.cursor.line} of {follower.path}")
