"""The audit app's services: the audit log, server events, web accesses, change capture, chain, lockout.

`from audit.services import audit_record, server_event` is what other apps need; bulk writers of
audited models use `audited_update`, `audited_bulk_create`, `audit_created` or `audit_bulk`.
"""

from .bulk import audit_bulk, audit_created, audited_bulk_create, audited_update
from .records import (
    AuditEntry,
    admin_type_of,
    audit_record,
    audit_records,
    audit_statement,
    auth_statement,
    ip_or_none,
    server_event,
    server_event_build,
    status_change,
    status_change_build,
    web_access_record,
)

__all__ = [
    "AuditEntry",
    "admin_type_of",
    "audit_bulk",
    "audit_created",
    "audit_record",
    "audit_records",
    "audit_statement",
    "audited_bulk_create",
    "audited_update",
    "auth_statement",
    "ip_or_none",
    "server_event",
    "server_event_build",
    "status_change",
    "status_change_build",
    "web_access_record",
]
