"""Master.csv through django-import-export (the admin's Import, with its dry-run preview).

The format splits the upload with the importer's own reader (asterisk_csv.split_records and
columns_of); the resource turns each row into a Cdr with record_from_columns and matches accounts
with the store's match_accounts. A broken line is not an error that would block the whole file:
its row is skipped with the reason in the `problem` column, as the command reports it. A record
already stored is skipped too: an import never changes a stored CDR.
"""

import datetime

import tablib
from django.conf import settings
from import_export import fields, resources, widgets
from import_export.formats.base_formats import Format

from voipadmin.partitions import ensure_partitions_for

from .models import Cdr
from .selectors import stored_same_call
from .services.asterisk_csv import COLUMN_NAMES, RecordError, columns_of, record_from_columns, zone_named
from .services.import_asterisk import INCOMPLETE_LINE
from .services.master_file import split_records
from .services.store import match_accounts

HEADERS = ("line", "problem", *COLUMN_NAMES)


class AsteriskMasterCsv(Format):
    """Asterisk's Master.csv: no header row, 16 to 21 columns per line (see asterisk_csv)."""

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self) -> str:
        return "Asterisk Master.csv"

    def get_extension(self) -> str:
        return "csv"

    def get_content_type(self) -> str:
        return "text/csv"

    def can_import(self) -> bool:
        return True

    def create_dataset(self, in_stream) -> tablib.Dataset:
        data = in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8")
        records, used, lines = split_records(data, offset=0, line=0, final=True)
        dataset = tablib.Dataset(headers=list(HEADERS))
        empty = dict.fromkeys(COLUMN_NAMES, "")
        for record in records:
            values, problem = empty, record.problem
            if not problem:
                try:
                    values = columns_of(record.data)
                except RecordError as error:
                    problem = str(error)
            dataset.append([record.line, problem, *(values[name] for name in COLUMN_NAMES)])
        if data[used:].strip():
            dataset.append([lines + 1, INCOMPLETE_LINE, *empty.values()])
        return dataset


class CdrImportResource(resources.ModelResource):
    """One Cdr per Master.csv row; times read in `zone` (the form's time zone)."""

    line = fields.Field(attribute="import_line", column_name="line", readonly=True, widget=widgets.IntegerWidget())
    caller = fields.Field(attribute="caller", column_name="caller", readonly=True)
    callee = fields.Field(attribute="callee", column_name="callee", readonly=True)
    problem = fields.Field(attribute="import_problem", column_name="problem", readonly=True)

    class Meta:
        model = Cdr
        fields = (
            "line",
            "start",
            "src",
            "dst",
            "clid",
            "disposition",
            "duration",
            "billsec",
            "uniqueid",
            "sequence",
            "caller",
            "callee",
            "problem",
        )
        import_id_fields = ("uniqueid", "sequence", "start")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False

    def __init__(self, *, zone: datetime.tzinfo | None = None, **kwargs):
        super().__init__(**kwargs)
        self.zone = zone or zone_named(settings.TIME_ZONE)
        self.parsed: dict[int, dict] = {}

    def before_import(self, dataset, **kwargs):
        """Parse every row, match accounts for all of them at once, make the months' partitions."""
        self.parsed = {}
        rows = []
        for values in dataset.dict:
            line = int(values["line"])
            if values["problem"]:
                continue
            try:
                self.parsed[line] = record_from_columns(values, zone=self.zone)
            except RecordError as error:
                self.parsed[line] = {"problem": str(error)}
                continue
            rows.append(self.parsed[line])
        match_accounts(rows)
        ensure_partitions_for(Cdr, [row["start"] for row in rows])

    def _parsed(self, row) -> dict:
        return self.parsed.get(int(row["line"])) or {"problem": row["problem"] or "not read"}

    def get_instance(self, instance_loader, row):
        parsed = self._parsed(row)
        if "problem" in parsed:
            return None
        return stored_same_call(uniqueid=parsed["uniqueid"], sequence=parsed["sequence"], start=parsed["start"])

    def import_instance(self, instance, row, **kwargs):
        parsed = self._parsed(row)
        instance.import_line = int(row["line"])
        instance.import_problem = parsed.get("problem", "")
        if instance.pk is None and not instance.import_problem:
            for name, value in parsed.items():
                setattr(instance, name, value)

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        """Broken lines and records already stored are skipped, never saved."""
        return bool(instance.import_problem) or instance.pk is not None

    def after_import(self, dataset, result, **kwargs):
        """A real import (not the preview) leaves one audit record with the file and the counts."""
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run"):
            return
        from audit.services import audit_record

        totals = result.totals
        audit_record(
            action="A",
            table=Cdr._meta.db_table,
            key={"file": kwargs.get("file_name") or "upload"},
            fields={"new": totals["new"], "skipped": totals["skip"]},
            details={"source": "admin import (Asterisk Master.csv)", "zone": str(self.zone)},
        )
