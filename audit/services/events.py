"""Server events pushed by the VoIP server itself (POST /api/v1/server-events/)."""

from voipadmin.bulk import insert_new

from ..models import ServerEvent


def server_events_store(*, items: list[dict]) -> int:
    """Insert the new events of a validated batch; an event_id seen before is skipped."""
    rows = []
    for item in items:
        values = dict(item)
        values["time"] = values.pop("timestamp")
        values["event_type"] = values.pop("event")
        rows.append(ServerEvent(**values))
    return insert_new(ServerEvent, rows)
