from django.core.management.base import BaseCommand, CommandError

from audit.services.chain import chain_supported, chain_verify


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain: every row's hash, that positions follow each other with "
        "only sanctioned gaps (filtered deletes) between them, and that the chain reaches its head. "
        "Prints each edited, removed or reordered row and exits non-zero if there is any."
    )

    def handle(self, *args, **options):
        if not chain_supported():
            raise CommandError("The audit hash chain needs PostgreSQL (DATABASE_URL=postgres://...).")
        report = chain_verify()
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        self.stdout.write(
            f"{report.rows} rows, {report.gaps} sanctioned gaps ({report.removed_rows} rows deleted); "
            f"head at position {report.head_seq}, hash {report.head_hash}"
        )
        if not report.ok:
            for finding in report.findings:
                self.stderr.write(f"TAMPERED {finding}")
            raise CommandError(f"the audit log fails verification: {len(report.findings)} problem(s)")
        self.stdout.write(self.style.SUCCESS("audit log verified: no row was edited, removed or reordered"))
