"""Writing to the audit log, the server event log and the web access log.

The actor and address come from the request context (voipadmin.request_context), so callers say
only what happened.
"""

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from voipadmin.request_context import client_ip, current

from .models import AuditRecord, ServerEvent, WebAccess


def _pairs(values: Mapping[str, Any]) -> str:
    return ",".join(f"{name}={value}" for name, value in values.items())


def audit_statement(table: str, key: Mapping[str, Any] | None = None, fields: Mapping[str, Any] | None = None) -> str:
    """The softswitch's syntax: `table:key1=val1[,key2=val2]:field1=newval1[,...]`."""
    statement = table
    if key:
        statement += ":" + _pairs(key)
    if fields:
        statement += ":" + _pairs(fields)
    return statement


def audit_record(
    *,
    action: str,
    table: str = "",
    key: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
    statement: str | None = None,
    details: dict | None = None,
) -> AuditRecord:
    context = current()
    actor = context.actor
    return AuditRecord.objects.create(
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_sub_id=actor.sub_id,
        actor_name=actor.name[:150],
        action=action,
        resource_table=table,
        resource_id=_pairs(key or {})[:255],
        statement=statement if statement is not None else audit_statement(table, key, fields),
        ip=context.ip[:255],
        correlation_id=context.correlation_id,
        details=details or {},
    )


def server_event(*, event_type: str, **fields: Any) -> ServerEvent:
    context = current()
    fields.setdefault("ip", _ip_or_none(context.ip))
    if context.user is not None:
        fields.setdefault("real_user_id", context.user.get_username())
    if context.user_agent:
        fields.setdefault("user_agent", context.user_agent)
    return ServerEvent.objects.create(event_type=event_type, **fields)


def _ip_or_none(value: str) -> str | None:
    import ipaddress

    try:
        return str(ipaddress.ip_address(value))
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
        ip=_ip_or_none(ip) if ip else None,
        user_agent=agent,
        reason=reason,
    )
