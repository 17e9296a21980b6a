"""The API's push of CDRs (POST /api/v1/cdrs/): validated items stored through the one store path."""

from .store import cdr_store


def cdrs_ingest(*, items: list[dict]) -> int:
    """Store the items (validated and normalised by CdrIngestSerializer); returns how many were new."""
    return cdr_store(rows=[dict(item) for item in items])
