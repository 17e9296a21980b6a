"""The one change capture behind the audit log and the Configuration Changes report.

Signals of the registered models (audit/registry.py) become audit records: A with every value, U
with each changed parameter's (before, after), D with the values the row had, R when a row comes
back under a name an earlier D removed, PSWD_CHNG for a new password hash however it was set
(only the hasher upgrade of a login is not one). The "before" of an update is read from the
database in pre_save (one indexed lookup), not from what the caller loaded.
Paths that send no signals (QuerySet.update, bulk_create) go through audit/services/bulk.py.
"""

import contextlib
import datetime
import decimal
import uuid
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.db import connection, models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from ..models import AuditAction, AuditRecord, ServerEvent
from ..registry import Audited, audited, audited_models
from .records import AuditEntry, audit_records, server_event, status_change

HIDDEN = "***"
_SKIP = object()


def plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value (what the audit log keeps)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(name): plain(item) for name, item in value.items()}
    return value


def field_values(spec: Audited, instance: models.Model, fields: list[models.Field]) -> dict[str, Any]:
    return {field.name: plain(getattr(instance, field.attname)) for field in fields}


def _masked(spec: Audited, values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (HIDDEN if name in spec.secret and value not in (None, "") else value) for name, value in values.items()
    }


_tables_ready = False


def capture_enabled() -> bool:
    """False until the audit table exists (a partial migrate of a fresh database)."""
    global _tables_ready
    if not _tables_ready:
        _tables_ready = AuditRecord._meta.db_table in connection.introspection.table_names()
    return _tables_ready


def _database_values(spec: Audited, pk: Any, fields: list[models.Field]) -> dict[str, Any] | None:
    row = spec.model._base_manager.filter(pk=pk).values(*[field.attname for field in fields]).first()
    if row is None:
        return None
    return {field.name: plain(row[field.attname]) for field in fields}


# -- save


def before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    spec = audited(sender)
    if spec is None or raw or not capture_enabled():
        return
    fields = spec.recorded_fields(frozenset(update_fields) if update_fields is not None else None)
    if not fields:
        instance._audit_before = _SKIP  # e.g. save(update_fields=["last_login"])
        return
    if instance.pk is None:
        instance._audit_before = None
        return
    instance._audit_before = _database_values(spec, instance.pk, fields)


def after_save(sender, instance, created=False, raw=False, update_fields=None, **kwargs) -> None:
    spec = audited(sender)
    if spec is None or raw:
        return
    before = instance.__dict__.pop("_audit_before", _SKIP)
    if before is _SKIP:
        return
    fields = spec.recorded_fields(frozenset(update_fields) if update_fields is not None else None)
    after = field_values(spec, instance, fields)
    if before is None:
        if "A" in spec.actions:
            audit_records([created_entry(spec, instance, after)])
        return
    if "U" not in spec.actions:
        return
    changed = {name: (before[name], after[name]) for name in after if before.get(name) != after[name]}
    audit_records(update_entries(spec, instance, changed))


def created_entry(
    spec: Audited, instance: models.Model, after: dict[str, Any], *, restored: bool | None = None
) -> AuditEntry:
    """The A record of a new row (R if its name was deleted before; `restored` when the caller
    already knows, as a bulk path does for its whole batch from restored_names)."""
    shown = _masked(spec, {name: value for name, value in after.items() if value not in (None, "")})
    if restored is None:
        restored = _was_deleted(spec, instance)
    action = AuditAction.RESTORE if restored else AuditAction.ADD
    return AuditEntry(
        action=action,
        table=spec.table,
        key=spec.key_of(instance),
        fields=shown,
        changes={name: (None, value) for name, value in shown.items()},
        details=object_details(spec, instance),
    )


def _was_deleted(spec: Audited, instance: models.Model) -> bool:
    """A row created again under the name an earlier D removed is a restore (R)."""
    if not spec.username_field:
        return False
    name = getattr(instance, spec.username_field)
    return AuditRecord.objects.filter(
        resource_table=spec.table, action=AuditAction.DELETE, details__natural_key=name
    ).exists()


def restored_names(spec: Audited, instances: Sequence[models.Model]) -> set[str]:
    """_was_deleted for a whole batch: which of these rows' names an earlier D removed (one query)."""
    if not spec.username_field or not instances:
        return set()
    names = sorted({getattr(instance, spec.username_field) for instance in instances})
    return set(
        AuditRecord.objects.filter(
            resource_table=spec.table, action=AuditAction.DELETE, details__natural_key__in=names
        ).values_list("details__natural_key", flat=True)
    )


def object_details(spec: Audited, instance: models.Model) -> dict[str, Any]:
    details = {"object": spec.name_of(instance), "model": spec.model._meta.label}
    if spec.username_field:
        details["natural_key"] = getattr(instance, spec.username_field)
    return details


def update_entries(spec: Audited, instance: models.Model, changed: dict[str, tuple[Any, Any]]) -> list[AuditEntry]:
    entries = []
    if spec.password_field and spec.password_field in changed:
        before, after = changed.pop(spec.password_field)
        if _is_new_password(instance, before, after):
            entries.append(
                AuditEntry(
                    action=AuditAction.PSWD_CHNG,
                    table=spec.table,
                    key=spec.key_of(instance),
                    statement=f"i_web_user={instance.pk}",
                    changes={spec.password_field: (HIDDEN, HIDDEN)},
                    details=object_details(spec, instance),
                )
            )
    if changed:
        masked = {name: ((HIDDEN, HIDDEN) if name in spec.secret else pair) for name, pair in sorted(changed.items())}
        entries.append(
            AuditEntry(
                action=AuditAction.UPDATE,
                table=spec.table,
                key=spec.key_of(instance),
                fields={name: after for name, (_before, after) in masked.items()},
                changes=masked,
                details=object_details(spec, instance),
            )
        )
        if spec.active_field and spec.active_field in changed:
            _active_event(spec, instance, changed[spec.active_field][1])
    return entries


_checking_login_password: ContextVar[bool] = ContextVar("audit_checking_login_password", default=False)


@contextlib.contextmanager
def login_password_check() -> Iterator[None]:
    """Around a login's password check (audit.auth): a hash Django upgrades in it is no change."""
    token = _checking_login_password.set(True)
    try:
        yield
    finally:
        _checking_login_password.reset(token)


def _is_new_password(instance: models.Model, before: Any, after: Any) -> bool:
    """Every new hash is a password change (set_password(), or one assigned in a shell or a
    fixture) except the hasher upgrade Django does when a login's password checks out."""
    if getattr(instance, "_password", None) is not None:
        return True  # set_password() keeps the raw password until the save
    return not (_checking_login_password.get() and _is_hasher_upgrade(before, after))


def _is_hasher_upgrade(before: Any, after: Any) -> bool:
    """`after` is the preferred hasher's and `before` was one Django would have upgraded."""
    try:
        old, new = identify_hasher(before or ""), identify_hasher(after or "")
    except ValueError:
        return False  # an unusable password, set or cleared
    preferred = get_hasher("default")
    if new.algorithm != preferred.algorithm:
        return False
    return old.algorithm != preferred.algorithm or preferred.must_update(before)


def _active_event(spec: Audited, instance: models.Model, active: bool) -> None:
    """Activation / deactivation, and the status move it is (seed 001: -2 inactive, 0 offline).

    Deactivating moves the user from the last status the log knows (offline if none) to -2;
    activating moves them from -2 to offline, until their client connects.
    """
    username = str(getattr(instance, spec.username_field, "") if spec.username_field else instance)[:150]
    display_name = _display_name(instance)
    description = f"{spec.name_of(instance)} {'activated' if active else 'deactivated'}"
    server_event(
        event_type=ServerEvent.EventType.ACTIVATION if active else ServerEvent.EventType.DEACTIVATION,
        username=username,
        display_name=display_name,
        description=description,
    )
    inactive, offline = ServerEvent.Status.INACTIVE, ServerEvent.Status.OFFLINE
    status_change(
        username=username,
        previous_status=inactive if active else _last_status(username, default=offline),
        new_status=offline if active else inactive,
        display_name=display_name,
        description=description,
    )


def _last_status(username: str, *, default: int) -> int:
    """The newest status the event log has for `username` (one indexed lookup)."""
    status = (
        ServerEvent.objects.filter(
            username=username, event_type=ServerEvent.EventType.STATUS, new_status__in=ServerEvent.Status.values
        )
        .order_by("-id")
        .values_list("new_status", flat=True)
        .first()
    )
    return default if status is None else status


def _display_name(instance: models.Model) -> str:
    for attribute in ("display_name", "get_full_name", "full_name"):
        value = getattr(instance, attribute, "")
        value = value() if callable(value) else value
        if value:
            return str(value)[:255]
    return ""


def active_changed(spec: Audited, instance: models.Model, active: bool) -> None:
    """For bulk paths: the activation / deactivation event a save would have given."""
    _active_event(spec, instance, active)


# -- delete


def after_delete(sender, instance, **kwargs) -> None:
    spec = audited(sender)
    if spec is None or "D" not in spec.actions or not capture_enabled():
        return
    values = _masked(spec, field_values(spec, instance, spec.recorded_fields()))
    shown = {name: value for name, value in values.items() if value not in (None, "")}
    audit_records(
        [
            AuditEntry(
                action=AuditAction.DELETE,
                table=spec.table,
                key=spec.key_of(instance),
                changes={name: (value, None) for name, value in shown.items()},
                details=object_details(spec, instance),
            )
        ]
    )


# -- many-to-many


def _label(obj: models.Model) -> str:
    content_type = getattr(obj, "content_type", None)
    codename = getattr(obj, "codename", None)
    if content_type is not None and codename:
        return f"{content_type.app_label}.{codename}"
    return str(obj)


def _related_labels(obj: models.Model, name: str) -> list[str]:
    manager = getattr(obj, name)
    queryset = manager.all()
    if hasattr(manager.model, "content_type"):
        queryset = queryset.select_related("content_type")
    return sorted(_label(item) for item in queryset)


def _m2m_owners(spec: Audited, name: str, instance, reverse: bool, pk_set) -> list[models.Model]:
    if not reverse:
        return [instance]
    manager = spec.model._base_manager
    if pk_set:
        return list(manager.filter(pk__in=pk_set))
    return list(manager.filter(**{name: instance}))


def _m2m_receiver(spec: Audited, name: str):
    def receiver(sender, instance, action, reverse, pk_set, **kwargs) -> None:
        if not capture_enabled() or "U" not in spec.actions:
            return
        if action.startswith("pre_"):
            owners = _m2m_owners(spec, name, instance, reverse, pk_set)
            snapshot = {owner.pk: (owner, _related_labels(owner, name)) for owner in owners}
            instance.__dict__.setdefault("_audit_m2m", {})[(name, action[4:])] = snapshot
            return
        snapshot = instance.__dict__.get("_audit_m2m", {}).pop((name, action[5:]), {})
        entries = []
        for owner, before in snapshot.values():
            after = _related_labels(owner, name)
            if after != before:
                entries.append(
                    AuditEntry(
                        action=AuditAction.UPDATE,
                        table=spec.table,
                        key=spec.key_of(owner),
                        fields={name: after},
                        changes={name: (before, after)},
                        details=object_details(spec, owner),
                    )
                )
        audit_records(entries)

    return receiver


def connect_capture() -> None:
    """Wire the signals of every registered model (called once from AuditConfig.ready)."""
    for spec in audited_models():
        uid = spec.model._meta.label
        pre_save.connect(before_save, sender=spec.model, dispatch_uid=f"audit.pre_save.{uid}")
        post_save.connect(after_save, sender=spec.model, dispatch_uid=f"audit.post_save.{uid}")
        post_delete.connect(after_delete, sender=spec.model, dispatch_uid=f"audit.post_delete.{uid}")
        for name in spec.m2m:
            through = spec.model._meta.get_field(name).remote_field.through
            m2m_changed.connect(
                _m2m_receiver(spec, name), sender=through, weak=False, dispatch_uid=f"audit.m2m.{uid}.{name}"
            )
