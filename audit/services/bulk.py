"""The audited bulk paths: writes that Django sends no model signals for.

`QuerySet.update()` and `bulk_create()` skip pre_save/post_save, so the change capture cannot see
them. Code that writes registered models in bulk calls these instead; each still records one
audit record per row with its before -> after values (and the activation events a save gives).
Code that inserts rows with its own INSERT ... ON CONFLICT DO NOTHING RETURNING calls
`audit_created` with the rows really inserted.
`QuerySet.delete()` needs nothing: Django sends post_delete per row for a model with receivers.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models, transaction

from ..models import AuditAction
from ..registry import Audited, audited
from .capture import (
    capture_enabled,
    created_entry,
    field_values,
    object_details,
    plain,
    restored_names,
    update_entries,
)
from .records import AuditEntry, audit_records


def _spec(model: type[models.Model]) -> Audited:
    spec = audited(model)
    if spec is None:
        raise ValueError(f"{model._meta.label} is not an audited model (audit/registry.py)")
    return spec


def audited_update(queryset: models.QuerySet, **values: Any) -> int:
    """`queryset.update(**values)` plus one U record per row that really changed; returns rows updated.

    The rows are locked (SELECT ... FOR UPDATE) while their before values are read, so the record
    says exactly what this update replaced. Meant for admin-sized selections: it reads the rows.
    """
    spec = _spec(queryset.model)
    fields = spec.recorded_fields(frozenset(values))
    attnames = [field.attname for field in fields]
    with transaction.atomic():
        before = {
            row["pk"]: {field.name: plain(row[field.attname]) for field in fields}
            for row in queryset.select_for_update().values("pk", *attnames)
        }
        if not before:
            return 0
        updated = spec.model._base_manager.filter(pk__in=list(before)).update(**values)
        entries: list[AuditEntry] = []
        for instance in spec.model._base_manager.filter(pk__in=list(before)):
            after = field_values(spec, instance, fields)
            old = before[instance.pk]
            changed = {name: (old[name], after[name]) for name in after if old[name] != after[name]}
            entries.extend(update_entries(spec, instance, changed))
        audit_records(entries)
    return updated


def audited_bulk_create(model: type[models.Model], objs: Sequence[models.Model], **options: Any) -> list:
    """`bulk_create` plus one A record per row created (primary keys come back on PostgreSQL)."""
    _spec(model)
    with transaction.atomic():
        created = model._base_manager.bulk_create(objs, **options)
        audit_created(model, [obj for obj in created if obj.pk is not None])
    return created


def audit_created(model: type[models.Model], objs: Sequence[models.Model]) -> int:
    """The A records (R for a name deleted before) a save() would have written for rows a caller
    inserted itself (INSERT ... ON CONFLICT DO NOTHING RETURNING: only the rows really new, with
    their primary keys), in the caller's transaction; returns how many were written."""
    spec = _spec(model)
    if not objs or "A" not in spec.actions or not capture_enabled():
        return 0
    fields = spec.recorded_fields()
    restored = restored_names(spec, objs)
    return audit_records(
        created_entry(
            spec,
            obj,
            field_values(spec, obj, fields),
            restored=bool(spec.username_field) and getattr(obj, spec.username_field) in restored,
        )
        for obj in objs
    )


def audit_bulk(*, model: type[models.Model], action: str, rows: Mapping[Any, Mapping[str, tuple[Any, Any]]]) -> int:
    """Record changes a caller made itself with set-based SQL: `rows` maps each primary key to
    its {parameter: (before, after)}. One record per row; returns how many were written."""
    spec = _spec(model)
    if action not in (AuditAction.ADD, AuditAction.UPDATE, AuditAction.DELETE, AuditAction.RESTORE):
        raise ValueError(f"audit_bulk records row changes (A, U, D, R), not {action!r}")
    instances = spec.model._base_manager.in_bulk(list(rows))
    entries = []
    for pk, changes in rows.items():
        instance = instances.get(pk)
        key = spec.key_of(instance) if instance is not None else {"id": pk}
        masked = {name: (("***", "***") if name in spec.secret else pair) for name, pair in changes.items()}
        entries.append(
            AuditEntry(
                action=action,
                table=spec.table,
                key=key,
                fields={name: after for name, (_before, after) in masked.items()} if action != "D" else None,
                changes=masked,
                details=object_details(spec, instance) if instance is not None else {"model": spec.model._meta.label},
            )
        )
    return audit_records(entries)
