"""Set-based inserts for the ingest paths: repeats are skipped by the database, and counted."""

from collections.abc import Sequence

from django.db import connections, models, transaction
from django.db.models.constants import OnConflict
from django.db.models.fields import AutoFieldMixin


def insert_new_returning(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    returning: Sequence[str] = ("pk",),
    using: str = "default",
    batch_size: int = 1000,
) -> list[tuple]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING <fields>, in batches: one tuple per row really
    inserted, so a caller can tell which of its items were new (and apply only those)."""
    if not objs:
        return []
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated and not field.primary_key]
    if not isinstance(opts.pk, AutoFieldMixin):
        fields.insert(0, opts.pk)  # a source id used as the primary key is inserted like any column
    returned = [opts.pk if name == "pk" else opts.get_field(name) for name in returning]
    connection = connections[using]
    batch_size = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, objs)))
    rows: list[tuple] = []
    with transaction.atomic(using=using, savepoint=False):
        for start in range(0, len(objs), batch_size):
            rows.extend(
                model._base_manager.using(using)._insert(
                    objs[start : start + batch_size],
                    fields=fields,
                    using=using,
                    on_conflict=OnConflict.IGNORE,
                    returning_fields=returned,
                )
            )
    return [tuple(row) for row in rows]


def insert_new(
    model: type[models.Model], objs: Sequence[models.Model], *, using: str = "default", batch_size: int = 1000
) -> int:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, in batches; returns the rows really inserted.

    `bulk_create(ignore_conflicts=True)` cannot say how many rows were new, which the idempotent
    ingest contract reports; this is the same statement with RETURNING kept.
    """
    return len(insert_new_returning(model, objs, using=using, batch_size=batch_size))
