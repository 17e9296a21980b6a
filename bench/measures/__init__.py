"""The measurements, in the order a run makes them (the ones that change the data come last)."""

from . import asterisk_db, delete, export, ingest, monitoring, pages, plans, reconcile, retention

MEASURES = {
    "plans": plans,
    "pages": pages,
    "export": export,
    "monitoring": monitoring,
    "reconcile": reconcile,
    "ingest": ingest,
    "asterisk_db": asterisk_db,
    "delete": delete,
    "retention": retention,
}
