"""Writing to the audit log, the server event log and the web access log.

The actor and address come from the request context (voipadmin.request_context), so callers say
only what happened.
"""

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from voipadmin.request_context import Actor, client_ip, current

from ..models import AuditRecord, ServerEvent, WebAccess


def _pairs(values: Mapping[str, Any]) -> str:
    return ",".join(f"{name}={_text(value)}" for name, value in values.items())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "|".join(str(item) for item in value)
    return str(value)


def audit_statement(table: str, key: Mapping[str, Any] | None = None, fields: Mapping[str, Any] | None = None) -> str:
    """The softswitch's syntax: `table:key1=val1[,key2=val2]:field1=newval1[,...]`."""
    statement = table
    if key:
        statement += ":" + _pairs(key)
    if fields:
        statement += ":" + _pairs(fields)
    return statement


def auth_statement(*, login: str, kind: str = "customer") -> str:
    """AUTH_OK / AUTH_FAIL in seed 002's syntax, `customer|account|vendor:username|email=value`.

    A console user is a web user of the root customer (seed 002: a web user's id is the customer
    owning it), so its logins are `customer:`; a login that is an e-mail address is `email=`.
    """
    name = "email" if "@" in login else "username"
    return f"{kind}:{name}={login}"


@dataclass
class AuditEntry:
    """One audit record to write; `changes` maps each parameter to its (before, after) values."""

    action: str
    table: str = ""
    key: Mapping[str, Any] | None = None
    fields: Mapping[str, Any] | None = None
    statement: str | None = None
    changes: Mapping[str, tuple[Any, Any]] | None = None
    details: dict = field(default_factory=dict)
    actor: Actor | None = None

    def build(self) -> AuditRecord:
        context = current()
        actor = self.actor or context.actor
        details = dict(self.details)
        if actor.client:
            details.setdefault("api_client", actor.client)
        if context.client_correlation_id:
            details.setdefault("client_correlation_id", context.client_correlation_id)
        if self.changes:
            details["changes"] = {name: [before, after] for name, (before, after) in self.changes.items()}
        return AuditRecord(
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_sub_id=actor.sub_id,
            actor_name=actor.name[:150],
            action=self.action,
            resource_table=self.table[:64],
            resource_id=_pairs(self.key or {})[:255],
            statement=self.statement
            if self.statement is not None
            else audit_statement(self.table, self.key, self.fields),
            ip=context.ip[:255],
            correlation_id=context.correlation_id,
            details=details,
        )


def audit_record(
    *,
    action: str,
    table: str = "",
    key: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
    statement: str | None = None,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    details: dict | None = None,
    actor: Actor | None = None,
) -> AuditRecord:
    """Write one audit record; actor, IP and correlation id come from the request context."""
    entry = AuditEntry(
        action=action,
        table=table,
        key=key,
        fields=fields,
        statement=statement,
        changes=changes,
        details=details or {},
        actor=actor,
    )
    record = entry.build()
    record.save(force_insert=True)
    return record


def audit_records(entries: Iterable[AuditEntry]) -> int:
    """Write many audit records in one INSERT per 500 (bulk paths); returns how many."""
    records = [entry.build() for entry in entries]
    AuditRecord.objects.bulk_create(records, batch_size=500)
    return len(records)


def server_event(*, event_type: str, **fields: Any) -> ServerEvent:
    context = current()
    fields.setdefault("ip", ip_or_none(context.ip))
    if context.user is not None:
        fields.setdefault("real_user_id", context.user.get_username())
        if event_type.startswith("delete_"):
            # Seed 001: a deletion from the reports names the administrator who did it, and their type.
            fields.setdefault("username", context.user.get_username())
            fields.setdefault("admin_type", admin_type_of(context.user, administering=True))
    if context.user_agent:
        fields.setdefault("user_agent", context.user_agent)
    return ServerEvent.objects.create(event_type=event_type, **fields)


def status_change(*, username: str, previous_status: int, new_status: int, **fields: Any) -> ServerEvent:
    """A user's status moved (seed 001: -2 inactive, 0 offline, 1 online, 2 busy, 5 owner)."""
    valid = set(ServerEvent.Status.values)
    for name, value in (("previous_status", previous_status), ("new_status", new_status)):
        if value not in valid:
            raise ValueError(f"{name} {value!r} is not one of {sorted(valid)}")
    return server_event(
        event_type=ServerEvent.EventType.STATUS,
        username=username,
        previous_status=previous_status,
        new_status=new_status,
        **fields,
    )


def admin_type_of(user, *, administering: bool = False) -> str:
    """Seed 001's Administrator type: `sysadmin` (full access: a superuser) or `security`
    (limited access: staff, or anyone `administering`, i.e. acting with an Administrator's right
    such as a filtered deletion); blank for a user acting as an operator."""
    if user is None:
        return ""
    if user.is_superuser:
        return ServerEvent.AdminType.SYSADMIN
    if user.is_staff or administering:
        return ServerEvent.AdminType.SECURITY
    return ""


def ip_or_none(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:
        return None


def web_access_record(
    *, request: HttpRequest | None, outcome: str, principal: str, user=None, entered_login: str = "", reason: str = ""
) -> WebAccess:
    ip = client_ip(request) if request is not None else None
    agent = request.META.get("HTTP_USER_AGENT", "")[:512] if request is not None else ""
    return WebAccess.objects.create(
        outcome=outcome,
        principal=principal[:150],
        user=user,
        entered_login=entered_login[:150],
        ip=ip_or_none(ip) if ip else None,
        user_agent=agent,
        reason=reason[:128],
    )
