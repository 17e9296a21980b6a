"""Set-based writes: inserts for the ingest paths (repeats skipped by the database, and counted),
and deletes of big selections in short batches."""

from collections.abc import Callable, Iterable, Mapping, Sequence

from django.db import IntegrityError, connections, models, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.expressions import RawSQL
from django.db.models.fields import AutoFieldMixin

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE


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


def _copy_columns(model: type[models.Model], connection) -> tuple[str, list[str], dict]:
    """(quoted column list, attribute names, defaults) of the columns a COPY of the model writes."""
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated and not field.primary_key]
    if not isinstance(opts.pk, AutoFieldMixin):
        fields.insert(0, opts.pk)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    return columns, [field.attname for field in fields], {field.attname: field.get_default() for field in fields}


def _copy(connection, cursor, target: str, rows: Sequence[Mapping], columns: str, names, defaults) -> None:
    # the raw COPY's errors (a NUL byte, a number out of range) as Django's DataError and kin
    with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] if name in row else defaults[name] for name in names])


def _stage_and_insert(
    model: type[models.Model], rows: Sequence[Mapping], using: str, stored_when: str, returning: Sequence[str]
) -> tuple[int, list[tuple]]:
    """COPY into a stage table private to the transaction, then INSERT ... SELECT ... ON CONFLICT
    DO NOTHING; (rows created, the `returning` columns of each)."""
    connection = connections[using]
    opts = model._meta
    quote = connection.ops.quote_name
    columns, names, defaults = _copy_columns(model, connection)
    table = quote(opts.db_table)
    # Always schema-qualified: never a permanent table of that name.
    stage = f"pg_temp.{quote(opts.db_table + '_stage')}"
    back = ", ".join(quote(opts.get_field(name).column) for name in returning)
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE TEMP TABLE {quote(opts.db_table + '_stage')} ON COMMIT DROP AS "
                       f"SELECT {columns} FROM {table} WITH NO DATA")  # fmt: skip
        _copy(connection, cursor, stage, rows, columns, names, defaults)
        skip = f" WHERE NOT EXISTS (SELECT FROM {table} stored WHERE {stored_when})" if stored_when else ""
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} staged{skip} ON CONFLICT DO NOTHING"
            + (f" RETURNING {back}" if back else "")
        )
        created = cursor.rowcount
        inserted = cursor.fetchall() if back else []
        cursor.execute(f"DROP TABLE {stage}")
    return created, inserted


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
    if connections[using].vendor != "postgresql":
        return insert_new(model, [model(**row) for row in rows], using=using)
    return _stage_and_insert(model, rows, using, stored_when, ())[0]


def copy_new(
    model: type[models.Model],
    rows: Sequence[Mapping],
    *,
    key: Sequence[str],
    using: str = "default",
    stored_when: str = "",
) -> list[Mapping]:
    """Store rows the caller's probe found new, straight into the table by COPY; returns the rows
    stored (by `key`, a unique constraint's fields).

    COPY into the table itself is the cheapest write PostgreSQL has: no stage table (whose catalogue
    rows, made and dropped per batch, stay dead where autovacuum is off), no INSERT ... SELECT, one
    round trip for the rows. It runs in a savepoint: a row another transaction committed since the
    probe breaks the unique constraint, and the batch goes the `copy_insert_new` way instead (ON
    CONFLICT DO NOTHING, `stored_when` as there), which returns the rows it really inserted. The
    rows must be unique by `key` among themselves. Elsewhere than PostgreSQL it is `insert_new`.
    """
    if not rows:
        return []
    connection = connections[using]
    if connection.vendor != "postgresql":
        inserted = insert_new_returning(model, [model(**row) for row in rows], returning=key, using=using)
    else:
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                columns, names, defaults = _copy_columns(model, connection)
                _copy(
                    connection, cursor, connection.ops.quote_name(model._meta.db_table), rows, columns, names, defaults
                )
            return list(rows)
        except IntegrityError as error:
            if getattr(error.__cause__, "sqlstate", None) != UNIQUE_VIOLATION:
                raise
        inserted = _stage_and_insert(model, rows, using, stored_when, key)[1]
    if len(inserted) == len(rows):
        return list(rows)
    wanted = {tuple(value) for value in inserted}
    return [row for row in rows if tuple(row[name] for name in key) in wanted]


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
