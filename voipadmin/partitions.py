"""Monthly range partitions for the tables that grow without end (SIP events, CDRs).

Retention then drops a month's partition in milliseconds instead of deleting its rows, and a query
on a time range only opens the months it covers. A model opts in with `partitioned_by = "<field>"`
and a `PartitionByMonth` operation right after its CreateModel. The partitioned table's primary key
is (id, time); Django keeps seeing `id` alone, unique in practice because one identity sequence
feeds every partition. Rows whose month has no partition land in a DEFAULT partition, never lost;
creating that month later moves them in. On SQLite every function here is a no-op.
"""

import datetime
import logging
from collections.abc import Iterable

from django.db import connections, models, transaction
from django.db.migrations.operations.base import Operation

from .bulk import delete_in_batches

logger = logging.getLogger(__name__)

# (table, month) pairs this process has seen exist; saves a catalogue query per ingest batch.
_known: set[tuple[str, datetime.date]] = set()


# The first and last months a date can name; their partitions stay open below and above (a
# timestamptz reaches past both), so no month arithmetic ever leaves the calendar.
FIRST_MONTH = datetime.date(1, 1, 1)
LAST_MONTH = datetime.date(9999, 12, 1)


def month_start(moment: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        if moment.tzinfo is not None:
            try:
                moment = moment.astimezone(datetime.UTC)
            except OverflowError:  # its offset carries it past year 9999 (or before year 1) in UTC
                return LAST_MONTH if moment.year == datetime.MAXYEAR else FIRST_MONTH
        moment = moment.date()
    return moment.replace(day=1)


def next_month(month: datetime.date) -> datetime.date | None:
    """The first day of the following month; None after December 9999."""
    if month >= LAST_MONTH:
        return None
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def partition_name(table: str, month: datetime.date) -> str:
    return f"{table}_p{month.year:04d}{month.month:02d}"  # strftime leaves years below 1000 unpadded


def month_bounds(month: datetime.date) -> tuple[str, str]:
    """The month's partition bounds as timestamptz literals (lower inclusive, upper exclusive): a
    condition `key >= lower AND key < upper` opens that partition alone, and the planner reads it
    as the whole partition (so an index on another column keeps serving the rest of the query)."""
    following = next_month(month)
    lower = "-infinity" if month <= FIRST_MONTH else f"{month.isoformat()} 00:00:00+00"
    upper = "infinity" if following is None else f"{following.isoformat()} 00:00:00+00"
    return lower, upper


class PartitionByMonth(Operation):
    """Turn the table CreateModel just made into one partitioned by month on `column`."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name: str, column: str):
        self.model_name = model_name
        self.column = column

    def deconstruct(self):
        return self.__class__.__name__, [], {"model_name": self.model_name, "column": self.column}

    def state_forwards(self, app_label, state):
        pass

    def describe(self):
        return f"Partition {self.model_name} by month of {self.column}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        opts = model._meta
        for field in opts.local_fields:
            if field.primary_key:
                continue
            if field.unique:
                raise ValueError(
                    f"{opts.label}.{field.name}: a partitioned table cannot hold a unique field; "
                    f"use a UniqueConstraint that includes {self.column}"
                )
        q = schema_editor.quote_name
        table, old = opts.db_table, f"{opts.db_table}__unpartitioned"
        key = opts.get_field(self.column).column
        schema_editor.execute(f"ALTER TABLE {q(table)} RENAME TO {q(old)}")
        schema_editor.execute(
            f"CREATE TABLE {q(table)} (LIKE {q(old)} INCLUDING DEFAULTS INCLUDING IDENTITY "
            f"INCLUDING GENERATED INCLUDING CONSTRAINTS) PARTITION BY RANGE ({q(key)})"
        )
        schema_editor.execute(f"DROP TABLE {q(old)} CASCADE")
        schema_editor.execute(
            f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(table + '_pkey')} PRIMARY KEY ({q(opts.pk.column)}, {q(key)})"
        )
        # Django defers a new model's indexes and foreign keys to the end of the migration; they
        # are made here, on the partitioned table, instead (once, whether deferred or not).
        schema_editor.deferred_sql = [
            statement
            for statement in schema_editor.deferred_sql
            if not (hasattr(statement, "references_table") and statement.references_table(table))
        ]
        for statement in schema_editor._model_indexes_sql(model):
            schema_editor.execute(statement)
        for constraint in opts.constraints:
            if not isinstance(constraint, models.CheckConstraint):  # checks came along with LIKE
                schema_editor.add_constraint(model, constraint)
        for field in opts.local_fields:
            if field.remote_field and field.db_constraint:
                schema_editor.execute(schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s"))
        schema_editor.execute(f"CREATE TABLE {q(table + '_default')} PARTITION OF {q(table)} DEFAULT")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # Reversing CreateModel drops the partitioned table with its partitions.
        pass


def partitioned_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [model for model in apps.get_models() if getattr(model, "partitioned_by", None)]


def is_partitioned(model: type[models.Model], using: str = "default") -> bool:
    return connections[using].vendor == "postgresql" and bool(getattr(model, "partitioned_by", None))


def partitions(model: type[models.Model], using: str = "default") -> list[tuple[str, str]]:
    """(name, bound expression) of every partition of the model's table."""
    if not is_partitioned(model, using):
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT child.relname, pg_get_expr(child.relpartbound, child.oid)
            FROM pg_inherits JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname = %s ORDER BY child.relname
            """,
            [model._meta.db_table],
        )
        return list(cursor.fetchall())


def month_ranges(
    model: type[models.Model], using: str = "default"
) -> list[tuple[str, datetime.datetime | None, datetime.datetime | None]]:
    """(partition, lower, upper) of each partition that may hold rows, oldest month first: a
    month's bounds (lower inclusive, upper exclusive; None where it is open), then the DEFAULT
    partition's, its oldest row to just past its newest, if it holds any. A query on the parent
    with those bounds opens that partition and, for the DEFAULT one, the months its rows span."""
    table = model._meta.db_table
    key = connections[using].ops.quote_name(model._meta.get_field(model.partitioned_by).column)
    ranges, default = [], None
    for name, _bound_expr in partitions(model, using):
        month = _month_of(name, table)
        if month is None:
            default = name
            continue
        following = next_month(month)
        lower = None if month <= FIRST_MONTH else datetime.datetime.combine(month, datetime.time(), datetime.UTC)
        upper = None if following is None else datetime.datetime.combine(following, datetime.time(), datetime.UTC)
        ranges.append((name, lower, upper))
    ranges.sort(key=lambda item: item[1] or datetime.datetime.min.replace(tzinfo=datetime.UTC))
    if default is not None:
        with connections[using].cursor() as cursor:
            quoted = connections[using].ops.quote_name(default)
            cursor.execute(f"SELECT min({key}), max({key}) FROM {quoted}")
            oldest, newest = cursor.fetchone()
        if oldest is not None:
            try:
                upper = newest + datetime.timedelta(microseconds=1)
            except OverflowError:  # a row at the last instant a datetime can hold
                upper = None
            ranges.append((default, oldest, upper))
    return ranges


def _month_of(name: str, table: str) -> datetime.date | None:
    suffix = name.removeprefix(f"{table}_p")
    if suffix == name or len(suffix) != 6 or not suffix.isdigit():
        return None
    return datetime.date(int(suffix[:4]), int(suffix[4:]), 1)


def ensure_month(model: type[models.Model], month: datetime.date, using: str = "default") -> bool:
    """Create the month's partition if missing, moving in rows the DEFAULT partition holds for it.

    Returns True when it created one. Serialised per table by an advisory lock, so concurrent
    callers neither fail nor create it twice.
    """
    if not is_partitioned(model, using):
        return False
    table = model._meta.db_table
    if (table, month) in _known:
        return False
    connection = connections[using]
    q = connection.ops.quote_name
    name = partition_name(table, month)
    key = model._meta.get_field(model.partitioned_by).column
    default = f"{table}_default"
    created = False
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [table])
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if not cursor.fetchone()[0]:
            lower, upper = month_bounds(month)
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {q(default)} WHERE {q(key)} >= %s AND {q(key)} < %s)",
                [lower, upper],
            )
            if cursor.fetchone()[0]:
                cursor.execute(f"CREATE TABLE {q(name)} (LIKE {q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {q(default)} WHERE {q(key)} >= %s AND {q(key)} < %s RETURNING *) "
                    f"INSERT INTO {q(name)} SELECT * FROM moved",
                    [lower, upper],
                )
                cursor.execute(
                    f"ALTER TABLE {q(table)} ATTACH PARTITION {q(name)} FOR VALUES FROM (%s) TO (%s)",
                    [lower, upper],
                )
            else:
                cursor.execute(
                    f"CREATE TABLE {q(name)} PARTITION OF {q(table)} FOR VALUES FROM (%s) TO (%s)",
                    [lower, upper],
                )
            created = True
    # Remembered once committed (at once when no outer transaction is open).
    transaction.on_commit(lambda: _known.add((table, month)), using=using)
    return created


def months_between(
    start: datetime.datetime | datetime.date, end: datetime.datetime | datetime.date
) -> list[datetime.date]:
    """The first days of the months from start's to end's, both included."""
    month, last, months = month_start(start), month_start(end), []
    while month is not None and month <= last:
        months.append(month)
        month = next_month(month)
    return months


def ensure_partitions(
    model: type[models.Model],
    start: datetime.datetime | datetime.date,
    end: datetime.datetime | datetime.date,
    using: str = "default",
) -> int:
    """Partitions for every month from start to end inclusive; returns how many were created."""
    return sum(ensure_month(model, month, using) for month in months_between(start, end))


def ensure_partitions_for(
    model: type[models.Model], moments: Iterable[datetime.datetime], using: str = "default"
) -> int:
    """Partitions for the months of a batch about to be inserted (call before its transaction)."""
    if not is_partitioned(model, using):
        return 0
    months = {month_start(moment) for moment in moments if moment is not None}
    return sum(ensure_month(model, month, using) for month in sorted(months))


def drop_months_before(
    model: type[models.Model], cutoff: datetime.datetime, using: str = "default"
) -> list[tuple[str, int]]:
    """Drop every partition wholly older than `cutoff`; returns (name, rows it held).

    Costs a catalogue change per month, whatever the table's size; the rows counted are those of
    the dropped month only.
    """
    if not is_partitioned(model, using):
        return []
    table = model._meta.db_table
    q = connections[using].ops.quote_name
    limit = month_start(cutoff)
    dropped = []
    for name, _bound_expr in partitions(model, using):
        month = _month_of(name, table)
        if month is None or month >= LAST_MONTH or next_month(month) > limit:
            continue
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {q(name)}")
            rows = cursor.fetchone()[0]
            cursor.execute(f"ALTER TABLE {q(table)} DETACH PARTITION {q(name)}")
            cursor.execute(f"DROP TABLE {q(name)}")
        _known.discard((table, month))
        dropped.append((name, rows))
        logger.info("dropped partition %s (%s rows)", name, rows)
    return dropped


def forget_known_partitions() -> None:
    """Tests that drop and recreate tables clear the in-process cache with this."""
    _known.clear()


__all__ = [
    "PartitionByMonth",
    "can_delete_by_key",
    "delete_by_key",
    "delete_older_than",
    "drop_months_before",
    "ensure_month",
    "ensure_partitions",
    "ensure_partitions_for",
    "forget_known_partitions",
    "key_fields",
    "month_bounds",
    "month_ranges",
    "months_between",
    "partitioned_models",
    "partitions",
]


def can_delete_by_key(model: type[models.Model], using: str = "default") -> bool:
    """A partitioned table whose rows Django would delete with a bare DELETE (no signal receivers,
    nothing cascading in Python): `delete_by_key` may remove them."""
    from django.db.models.deletion import Collector

    return is_partitioned(model, using) and Collector(using=using, origin=None).can_fast_delete(
        model._base_manager.using(using).none()
    )


def key_fields(model: type[models.Model]) -> list[str]:
    """What names a row of a partitioned table to `delete_by_key`: its id and its partition key."""
    return ["pk", model.partitioned_by]


def delete_by_key(model: type[models.Model], keys: list[tuple], using: str = "default") -> int:
    """Delete rows of a partitioned table by (id, partition key) pairs; returns rows deleted.

    One `DELETE ... WHERE key >= month AND key < next month AND id = ANY(ids)` per month the keys
    fall in: the planner opens that month's partition only. (`WHERE id IN (...)` probes every
    month for every id after parsing thousands of placeholders; a join on the pairs lets the planner
    hash-join against every month of a big table.)
    """
    by_month: dict[datetime.date, list] = {}
    for pk, moment in keys:
        by_month.setdefault(month_start(moment), []).append(pk)
    connection = connections[using]
    quote = connection.ops.quote_name
    opts = model._meta
    key = quote(opts.get_field(model.partitioned_by).column)
    deleted = 0
    with connection.cursor() as cursor:
        for month, ids in sorted(by_month.items()):
            lower, upper = month_bounds(month)
            cursor.execute(
                f"DELETE FROM {quote(opts.db_table)} WHERE {key} >= %s AND {key} < %s "
                f"AND {quote(opts.pk.column)} = ANY(%s)",
                [lower, upper, ids],
            )
            deleted += cursor.rowcount
    return deleted


def delete_older_than(
    model: type[models.Model],
    cutoff: datetime.datetime,
    batch: int = 20000,
    using: str = "default",
    *,
    field: str | None = None,
) -> int:
    """Rows older than `cutoff` that no whole-month drop reached (the DEFAULT partition, the
    cutoff's own month, or an unpartitioned table), deleted in short batches. `field` names the
    time column of a table that is not partitioned (a rolling buffer trimmed by its own task)."""
    field = field or model.partitioned_by
    queryset = model._base_manager.using(using).filter(**{f"{field}__lt": cutoff})
    if can_delete_by_key(model, using):
        return delete_in_batches(queryset, key_fields(model), batch, lambda rows: delete_by_key(model, rows, using))
    return delete_in_batches(
        queryset,
        ["pk"],
        batch,
        lambda rows: queryset.filter(pk__in=[row[0] for row in rows])._raw_delete(using),
    )
