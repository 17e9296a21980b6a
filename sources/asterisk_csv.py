"""Asterisk's Master.csv (cdr_csv, and cdr_custom with `--columns`) as a source of the console.

The reading rules (layouts, quoting, DST readings, rotation) are the CDR app's own, in
cdr.services.import_asterisk, master_follow and their helpers, where the admin's import uses them too; this module
is the source's place in the room, what `import_asterisk_cdr` and any other caller reach for.
Both end in cdr.services.store.cdr_store, the API's store.
"""

from cdr.services.import_asterisk import FileLayout, ImportOutcome, Problem
from cdr.services.import_asterisk import cdr_import_file as master_csv_import
from cdr.services.master_follow import CdrFollower as MasterCsvFollower
from cdr.services.master_follow import CursorMoved

__all__ = ["CursorMoved", "FileLayout", "ImportOutcome", "MasterCsvFollower", "Problem", "master_csv_import"]
