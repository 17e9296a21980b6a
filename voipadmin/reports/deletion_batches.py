"""How the rows of a confirmed selection go, batch by batch.

A month-partitioned table whose rows go with a bare DELETE (no hook reads them first) is walked
partition by partition, each batch one statement:

    DELETE FROM <month> WHERE ctid = ANY(ARRAY(<the selection in that month, after the last id,
    in id order, LIMIT batch>)) RETURNING id, <partition key>

The selection runs once (on the indexes its filters use, pruned to the month), the rows go by
their physical address (no index probe per row, no keys sent back and forth), and the batch's
transaction is that statement plus the job's progress: a concurrent ingest waits on nothing, and a
worker that dies loses one batch at most. Other tables go through `delete_in_batches` (keys read,
the report's hooks, then deleted by key).
"""

from collections.abc import Callable

from django.db import connections, transaction
from django.db.models import BooleanField, CharField, QuerySet
from django.db.models.expressions import RawSQL

from voipadmin.partitions import month_ranges

Batch = Callable[[list[tuple]], None]


def delete_by_partition(queryset: QuerySet, size: int, deleted: Batch) -> int:
    """Delete the rows of `queryset` (a partitioned table's) in batches of up to `size`, one
    statement and one transaction each; `deleted` gets each batch's (id, partition key) pairs inside
    its transaction. Returns the rows deleted.

    When the walk ends, one more pass from the start takes what was committed behind the cursor
    meanwhile (a late ingest; a row updated under a batch, which leaves it to the next pass); only
    one, so rows that keep arriving cannot keep the job going forever."""
    total = 0
    for _ in range(2):
        for partition, lower, upper in month_ranges(queryset.model, queryset.db):
            total += _walk(queryset, partition, lower, upper, size, deleted)
    return total


def _walk(queryset: QuerySet, partition: str, lower, upper, size: int, deleted: Batch) -> int:
    """One partition's rows of the selection, in id order; each batch resumes after the previous
    one's last id (an index range: starting from the top again would walk past every row deleted
    already, dead until vacuumed)."""
    model = queryset.model
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key = model._meta.get_field(model.partitioned_by)
    month = queryset.filter(
        RawSQL(f"{table}.tableoid = %s::regclass", (quote(partition),), output_field=BooleanField())  # noqa: S611
    )
    if lower is not None:
        month = month.filter(**{f"{key.name}__gte": lower})
    if upper is not None:
        month = month.filter(**{f"{key.name}__lt": upper})
    returning = f"{quote(model._meta.pk.column)}, {quote(key.column)}"
    after = None
    total = 0
    while True:
        rows = month if after is None else month.filter(pk__gt=after)
        tids = rows.order_by("pk").values_list(RawSQL(f"{table}.ctid", (), output_field=CharField()))[:size]  # noqa: S611
        sql, params = tids.query.sql_with_params()
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            # The selection's own SQL, its values as parameters; the partition's name quoted.
            cursor.execute(
                f"DELETE FROM {quote(partition)} WHERE ctid = ANY(ARRAY({sql})) RETURNING {returning}", params
            )
            gone = cursor.fetchall()
            if gone:
                deleted(gone)
        if not gone:
            return total
        total += len(gone)
        after = max(pk for pk, _key in gone)
