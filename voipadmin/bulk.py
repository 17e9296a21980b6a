"""Set-based inserts for the ingest paths: repeats are skipped by the database, and counted."""

from collections.abc import Sequence

from django.db import connections, models, transaction
from django.db.models.constants import OnConflict


def insert_new(
    model: type[models.Model], objs: Sequence[models.Model], *, using: str = "default", batch_size: int = 1000
) -> int:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, in batches; returns the rows really inserted.

    `bulk_create(ignore_conflicts=True)` cannot say how many rows were new, which the idempotent
    ingest contract reports; this is the same statement with RETURNING kept.
    """
    if not objs:
        return 0
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated and not field.primary_key]
    returning = [opts.pk]
    connection = connections[using]
    batch_size = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, objs)))
    inserted = 0
    with transaction.atomic(using=using, savepoint=False):
        for start in range(0, len(objs), batch_size):
            rows = model._base_manager.using(using)._insert(
                objs[start : start + batch_size],
                fields=fields,
                using=using,
                on_conflict=OnConflict.IGNORE,
                returning_fields=returning,
            )
            inserted += len(rows)
    return inserted
