"""How the rows of a confirmed selection go, batch by batch.

A month-partitioned table whose rows go with a bare DELETE (no hook reads them first) is walked
partition by partition, each batch one statement:

    DELETE FROM <table> WHERE <the month> AND tableoid = <its partition> AND ctid = ANY(ARRAY(
        <the selection in that month, after the last id, in id order, LIMIT batch>))
    RETURNING id

The selection runs once (on the indexes its filters use, pruned to the month), the rows go by
their physical address (no index probe per row, no keys sent back and forth), the table's
statement triggers see them as any DELETE's (the CDR rollup follows), only the ids come back
(a timestamp costs ten times an integer to read), and the batch's
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
    statement and one transaction each; `deleted` gets each batch's ids inside its transaction.
    Returns the rows deleted.

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
    # The month's bounds open that partition only; its tableoid keeps every address to it.
    bounds, values = [f"{table}.tableoid = %s::regclass"], [quote(partition)]
    month = queryset
    if lower is not None:
        month = month.filter(**{f"{key.name}__gte": lower})
        bounds.append(f"{quote(key.column)} >= %s")
        values.append(connection.ops.adapt_datetimefield_value(lower))
    if upper is not None:
        month = month.filter(**{f"{key.name}__lt": upper})
        bounds.append(f"{quote(key.column)} < %s")
        values.append(connection.ops.adapt_datetimefield_value(upper))
    month = month.filter(RawSQL(bounds[0], values[:1], output_field=BooleanField()))  # noqa: S611
    pk = quote(model._meta.pk.column)
    after = None
    total = 0
    while True:
        rows = month if after is None else month.filter(pk__gt=after)
        tids = rows.order_by("pk").values_list(RawSQL(f"{table}.ctid", (), output_field=CharField()))[:size]  # noqa: S611
        sql, params = tids.query.sql_with_params()
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            # From the parent table, so its statement triggers see the rows (the CDR rollup's);
            # the selection's own SQL, its values as parameters.
            cursor.execute(
                f"DELETE FROM {table} WHERE {' AND '.join(bounds)} AND ctid = ANY(ARRAY({sql})) RETURNING {pk}",
                [*values, *params],
            )
            gone = [pk for (pk,) in cursor.fetchall()]
            if gone:
                deleted(gone)
        if not gone:
            return total
        total += len(gone)
        after = max(gone)
