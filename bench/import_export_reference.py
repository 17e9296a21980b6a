"""django-import-export's export of a CDR selection, alone in its process (for its memory):

    python -m bench.import_export_reference "<query string>" <rows>

Prints one JSON line: rows, seconds, RSS before the export and peak RSS (MB).
"""

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from import_export import resources  # noqa: E402

from bench.harness import hwm_mb, reset_peak, rss_mb  # noqa: E402
from bench.measures.export import export_queryset  # noqa: E402
from cdr.models import Cdr  # noqa: E402
from cdr.reports import cdr_report  # noqa: E402

FIELDS = tuple(column.field for column in cdr_report.columns if column.export)


class CdrExportResource(resources.ModelResource):
    """The export's columns (the report's), the related usernames included."""

    class Meta:
        model = Cdr
        fields = FIELDS
        export_order = FIELDS


def main() -> None:
    query, rows = sys.argv[1], int(sys.argv[2])
    # select_related as the report's pages have it: without it each row costs two more queries.
    queryset = cdr_report.with_related(export_queryset(query))[:rows]
    pid = os.getpid()
    before = rss_mb(pid)
    reset_peak(pid)
    started = time.perf_counter()
    dataset = CdrExportResource().export(queryset=queryset)
    text = dataset.csv
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": len(dataset), "bytes": len(text), "seconds": seconds, "before_mb": before,
                      "peak_mb": hwm_mb(pid)}))  # fmt: skip


if __name__ == "__main__":
    main()
