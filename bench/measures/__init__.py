"""The measurements, in the order a run makes them (the ones that change the data come last)."""

from . import delete, export, ingest, monitoring, pages, plans, reconcile, retention

MEASURES = {
    "plans": plans,
    "pages": pages,
    "export": export,
    "monitoring": monitoring,
    "reconcile": reconcile,
    "ingest": ingest,
    "delete": delete,
    "retention": retention,
}
