"""The VoIP server's own configuration changes (seed 001 Configuration Changes: server settings,
the list of conferences, PRO licenses, LDAP / DLP / e-mail integration, surveys, user groups and
accounts), pushed to POST /api/v1/config-changes/ and kept as audit records, like the console's.

The event id decides what is new (INSERT ... ON CONFLICT DO NOTHING RETURNING), so a repeated or
concurrent delivery records a change once.
"""

from voipadmin.bulk import insert_new_returning
from voipadmin.request_context import Actor, current

from ..models import AuditAction, AuditRecord, PushedConfigChange, ServerConfigSection
from .records import AuditEntry

SECTION_NAMES = dict(ServerConfigSection.choices)


def _entry(item: dict) -> AuditEntry:
    section, target = item["section"], item.get("object") or ""
    changes = {change["parameter"]: (change.get("before"), change.get("after")) for change in item["changes"]}
    context = current().actor
    who = item.get("who") or ""
    # The person who changed it on the server; the pushing token stays in the details (api_client).
    actor = Actor("u", 0, 0, who, client=context.client or context.name) if who else None
    label = SECTION_NAMES[section] + (f" {target}" if target else "")
    return AuditEntry(
        action=item.get("action") or AuditAction.UPDATE,
        table=f"server_{section}",
        key={"object": target} if target else None,
        fields={name: after for name, (_before, after) in changes.items()},
        changes=changes,
        details={"object": label, "event_id": item["event_id"], "source": "voip-server", "node": item.get("ip", "")},
        actor=actor,
    )


def server_config_changes_store(*, items: list[dict]) -> int:
    """Record the new changes of a validated batch; returns how many were new."""
    new_ids = {
        row[0]
        for row in insert_new_returning(
            PushedConfigChange,
            [PushedConfigChange(event_id=item["event_id"]) for item in items],
            returning=("event_id",),
        )
    }
    fresh = []
    for item in sorted(items, key=lambda item: item["timestamp"]):
        if item["event_id"] in new_ids:
            new_ids.discard(item["event_id"])  # a repeat inside the batch is recorded once
            fresh.append(item)
    records = []
    for item in fresh:
        record = _entry(item).build()
        record.time = item["timestamp"]
        if item.get("ip"):
            record.ip = item["ip"]
        records.append(record)
    AuditRecord.objects.bulk_create(records)
    by_event = {item["event_id"]: record for item, record in zip(fresh, records, strict=True)}
    pushed = list(PushedConfigChange.objects.filter(event_id__in=by_event))
    for row in pushed:
        row.record = by_event[row.event_id]
    PushedConfigChange.objects.bulk_update(pushed, ["record"])
    return len(records)
