"""Set-based writes: inserts for the ingest paths (repeats skipped by the database, and counted),
and deletes of big selections in short batches."""

from collections.abc import Callable, Iterable, Mapping, Sequence

from django.db import connections, models, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.expressions import RawSQL
from django.db.models.fields import AutoFieldMixin


def array_literal(values: Iterable) -> str:
    """PostgreSQL's text form of an array (`{"a","b\\"c",NULL}`), for one `%s::type[]` parameter:
    built by a join, where the driver's client-side quoting of a list costs milliseconds a batch."""
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
            continue
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        parts.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def any_of(model: type[models.Model], name: str, values: Sequence, *, using: str = "default") -> Q | RawSQL:
    """`name IN values` for a batch's thousand values: on PostgreSQL `column = ANY(%s::type[])` with
    one array parameter (a thousand placeholders cost more to build, send and plan than the query
    itself), elsewhere Django's `__in`."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return Q(**{f"{name}__in": list(values)})
    field = model._meta.get_field(name)
    column = connection.ops.quote_name(field.column)
    table = connection.ops.quote_name(model._meta.db_table)
    kind = field.target_field.db_type(connection) if field.is_relation else field.db_type(connection)
    kind = {"serial": "integer", "bigserial": "bigint"}.get(kind, kind)
    # names quoted by the backend, the values one parameter
    sql = f"{table}.{column} = ANY(%s::{kind}[])"
    return RawSQL(sql, (array_literal(values),), output_field=BooleanField())  # noqa: S611


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


def copy_insert_new(
    model: type[models.Model], rows: Sequence[Mapping], *, using: str = "default", stored_when: str = ""
) -> int:
    """`insert_new` for big batches: rows (field values by attribute name, `account_id` not
    `account`; a missing field takes its default) go by COPY into a stage table private to the
    transaction, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING; returns the rows created.

    No model instances, no statement of thousands of placeholders to build, send and plan: on
    PostgreSQL a batch of 1,000 costs a few milliseconds. Elsewhere it is `insert_new`.

    `stored_when` (PostgreSQL only) is an SQL condition on `staged` (a row of the batch) and
    `stored` (a row of the table): a staged row is skipped too when some stored row meets it, for an
    identity wider than the unique constraint can say. Keep it an index probe.
    """
    if not rows:
        return 0
    connection = connections[using]
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated and not field.primary_key]
    if not isinstance(opts.pk, AutoFieldMixin):
        fields.insert(0, opts.pk)
    if connection.vendor != "postgresql":
        return insert_new(model, [model(**row) for row in rows], using=using)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(opts.db_table)
    # Always schema-qualified: never a permanent table of that name.
    stage = f"pg_temp.{quote(opts.db_table + '_stage')}"
    names = [field.attname for field in fields]
    defaults = {field.attname: field.get_default() for field in fields}
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE TEMP TABLE {quote(opts.db_table + '_stage')} ON COMMIT DROP AS "
                       f"SELECT {columns} FROM {table} WITH NO DATA")  # fmt: skip
        # the raw COPY's errors (a NUL byte, a number out of range) as Django's DataError and kin
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] if name in row else defaults[name] for name in names])
        skip = f" WHERE NOT EXISTS (SELECT FROM {table} stored WHERE {stored_when})" if stored_when else ""
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} staged{skip} ON CONFLICT DO NOTHING"
        )
        created = cursor.rowcount
        cursor.execute(f"DROP TABLE {stage}")
    return created


def delete_in_batches(
    queryset: QuerySet, fields: Sequence[str], size: int, delete: Callable[[list[tuple]], None]
) -> int:
    """Hand the selection to `delete` in batches of `size` rows (values of `fields`, the pk first),
    one transaction each; returns the rows handed over.

    Each batch resumes after the previous one's last key, an index range: starting from the top
    again would walk past every row the previous batches deleted (dead until vacuumed), batch after
    batch. When the walk ends, one more pass from the start takes what was committed behind the
    cursor meanwhile; only one, so rows that keep arriving cannot keep the job going forever.
    """
    ordered = queryset.order_by("pk")
    after = None
    total = 0
    passes = 0
    while True:
        with transaction.atomic(using=queryset.db):
            page = ordered if after is None else ordered.filter(pk__gt=after)
            rows = list(page.values_list(*fields)[:size])
            if not rows:
                passes += 1
                if after is None or passes == 2:
                    return total
                after = None
                continue
            after = rows[-1][0]
            delete(rows)
            total += len(rows)
