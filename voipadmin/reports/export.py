"""Streaming CSV export of a report selection, in the viewer's zone and delimiter.

On PostgreSQL the rows leave the database through `COPY (SELECT ...) TO STDOUT`, so Python only
moves bytes: an inner SELECT filters and sorts the stored values, an outer one turns each sorted
row into its cells (the viewer's wall-clock time, the formula neutralisation, the related rows'
columns looked up by key) and COPY writes the CSV. Elsewhere (SQLite under `make run`) a Python
writer produces the same bytes over an iterator. Both paths hold one chunk in memory at a time.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections, models, transaction
from django.db.models import Case, F, OrderBy, QuerySet, TextField, Value, When
from django.http import StreamingHttpResponse
from django.utils import timezone
from psycopg import pq
from psycopg.generators import fetch_many

from .definition import Report
from .formulae import neutralise, neutralise_sql

TIME_FORMAT_PY = "%Y-%m-%d %H:%M:%S"
# What the stream hands the WSGI server at a time: a few of these live in the worker at once.
CHUNK_BYTES = 256 * 1024
COPY_DELIMITERS = {",": "','", ";": "';'", "\t": "E'\\t'", "|": "'|'"}


@dataclass(frozen=True)
class ExportColumn:
    path: str
    label: str
    kind: str  # datetime, date, bool, number, duration, ip, source_number, text
    expression: Any = None  # a Column's `export_as`, annotated under `path`


def _kind(field: models.Field) -> str:
    if isinstance(field, models.GeneratedField):  # a column the database computes: its value's kind
        return _kind(field.output_field)
    if isinstance(field, models.DurationField):
        return "duration"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.BooleanField):
        return "bool"
    if isinstance(field, models.ForeignKey):
        return _kind(field.target_field)
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField) and not field.choices:
        return "number"
    if isinstance(field, models.GenericIPAddressField):
        return "ip"
    return "text"


def export_columns(report: Report, zone_name: str) -> list[ExportColumn]:
    columns = []
    for column in report.columns:
        if not column.export:
            continue
        field = column.model_field(report.model)
        path = column.field
        if field.is_relation and not field.many_to_many and "__" not in path:
            path = f"{path}_id" if field.many_to_one else path
        kind = "source_number" if column.negative_is_blank else _kind(field)
        label = column.export_label or column.title(report.model)
        if kind == "datetime":
            label = f"{label} ({zone_name})"
        if column.export_as is not None:
            columns.append(
                ExportColumn(path=f"export_as_{len(columns)}", label=label, kind="text", expression=column.export_as)
            )
            continue
        columns.append(ExportColumn(path=path, label=label, kind=kind))
    return columns


def choice_words(field: str, choices) -> Case:
    """The label of a coded field, computed in the export's SELECT: the CSV column of a code's
    meaning beside the code itself (`login_failed` and `Failed login`)."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=Value(""),
        output_field=TextField(),
    )


def with_export_expressions(queryset: QuerySet, columns: list[ExportColumn]) -> QuerySet:
    """The queryset with each column's own export expression annotated under its path."""
    computed = {column.path: column.expression for column in columns if column.expression is not None}
    return queryset.annotate(**computed) if computed else queryset


@dataclass(frozen=True)
class _Lookup:
    """A column read across a foreign key (`caller__username`): the key stays on the sorted row and
    the related row is looked up after the sort, by primary key."""

    table: str
    key: str
    column: str


def _lookup(model: type[models.Model], path: str) -> _Lookup | None:
    head, _, tail = path.partition("__")
    if not tail or "__" in tail:
        return None
    try:
        field = model._meta.get_field(head)
    except FieldDoesNotExist:  # an annotation of the report's queryset
        return None
    if not field.many_to_one:
        return None
    target = field.related_model._meta.get_field(tail)
    if target.is_relation:
        return None
    return _Lookup(field.related_model._meta.db_table, field.target_field.column, target.column)


# A time cell: the wall-clock time (the session's TimeZone) to the second, truncated as strftime
# does, printed by COPY as ISO. date_trunc() parses its unit at every call (a third of what the
# time cells cost); a typmod cast rounds, and rounding half a second earlier truncates as long as
# the result is after PostgreSQL's epoch (2000-01-01, from which its timestamps count up), which
# a time after 2000-01-02 UTC is in every zone.
WALL_CLOCK_SECOND_SQL = (
    "CASE WHEN {ref} >= '2000-01-02 00:00:00+00'::timestamptz "
    "THEN ({ref}::timestamp - interval '0.5 second')::timestamp(0) "
    "ELSE date_trunc('second', {ref}::timestamp) END"
)


def _outer_cell(kind: str, ref: str) -> tuple[str, list]:
    """The CSV cell of a raw value `ref`, in the outer SELECT (the session's TimeZone is the
    viewer's and its DateStyle ISO: see SESSION_SQL)."""
    if kind == "datetime":
        return WALL_CLOCK_SECOND_SQL.format(ref=ref), []
    if kind == "bool":
        return f"CASE WHEN {ref} THEN 'yes' WHEN NOT {ref} THEN 'no' END", []
    if kind in ("number", "ip", "date"):
        return ref, []
    if kind == "duration":
        # Seconds, as a float prints (`900`, `2.5`): an interval's own text differs per database.
        return f"extract(epoch FROM {ref})::float8", []
    if kind == "source_number":
        return f"CASE WHEN {ref} < 0 THEN NULL ELSE {ref} END", []
    return neutralise_sql(f"{ref}::text")


# The export's transaction: no JIT (it compiled for 148 ms at 500k rows and ran no faster), the
# viewer's zone for the timestamp casts, ISO dates whatever the server's DateStyle.
SESSION_SQL = (
    "SELECT set_config('jit', 'off', true), set_config('DateStyle', 'ISO, MDY', true), set_config('TimeZone', %s, true)"
)


def _order_keys(queryset: QuerySet) -> list[OrderBy]:
    """The queryset's sort keys (the model's default ordering when it has none of its own)."""
    query = queryset.query
    keys = []
    for item in query.order_by or (queryset.model._meta.ordering if query.default_ordering else ()):
        if isinstance(item, str):
            item = F(item[1:]).desc() if item.startswith("-") else F(item).asc()
        elif not isinstance(item, OrderBy):
            item = item.asc()
        keys.append(item)
    return keys


def copy_statement(queryset: QuerySet, columns: list[ExportColumn], delimiter: str) -> tuple[str, tuple]:
    """The `COPY (SELECT ...) TO STDOUT` an export runs (in a session made by SESSION_SQL), and its
    parameters.

    The inner SELECT filters and sorts the stored values (narrow rows, no text made yet); the
    outer one formats each row on its way out and looks the related rows up after the sort, so
    nothing formatted is ever sorted. Its ORDER BY repeats the inner one on the same keys, which
    the planner sees as already satisfied (the lookups are order-keeping nested loops).
    """
    quote = connections[queryset.db].ops.quote_name
    keys = _order_keys(queryset)
    inner: dict[str, Any] = {}
    joins, cells, params = [], [], []
    for index, column in enumerate(columns):
        name = f"export_c{index}"
        lookup = _lookup(queryset.model, column.path) if column.expression is None else None
        if lookup is None:
            inner[name] = F(column.path)
            ref = f"s.{quote(name)}"
        else:
            inner[name] = F(column.path.partition("__")[0])
            alias = quote(f"export_j{index}")
            joins.append(f"LEFT JOIN {quote(lookup.table)} {alias} ON {alias}.{quote(lookup.key)} = s.{quote(name)}")
            ref = f"{alias}.{quote(lookup.column)}"
        sql, cell_params = _outer_cell(column.kind, ref)
        cells.append(sql)
        params += cell_params
    # A sort key that is also an exported stored column is referred to by that column (one name
    # for one value: the planner matches the outer ORDER BY to the inner one by it).
    plain = {column.path: f"export_c{index}" for index, column in enumerate(columns) if "__" not in column.path}
    order = []
    for index, key in enumerate(keys):
        expression = key.expression
        name = plain.get(expression.name) if isinstance(expression, F) else None
        if name is None:
            name = f"export_k{index}"
            inner[name] = expression
        nulls = " NULLS FIRST" if key.nulls_first else " NULLS LAST" if key.nulls_last else ""
        order.append(f"s.{quote(name)} {'DESC' if key.descending else 'ASC'}{nulls}")
    inner_sql, inner_params = queryset.annotate(**inner).values_list(*inner).query.sql_with_params()
    sql = f"SELECT {', '.join(cells)} FROM ({inner_sql}) s {' '.join(joins)}"
    if order:
        sql += f" ORDER BY {', '.join(order)}"
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, DELIMITER {COPY_DELIMITERS[delimiter]})"
    return statement, (*params, *inner_params)


def _number_text(value) -> str:
    """A number as PostgreSQL prints it: the shortest exact form, `1` for 1.0 (Python says `1.0`)."""
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def _python_cell(kind: str, value, zone: datetime.tzinfo) -> str:
    if value is None:
        return ""
    if kind == "datetime":
        return timezone.localtime(value, zone).strftime(TIME_FORMAT_PY)
    if kind == "date":
        return value.isoformat()
    if kind == "bool":
        return "yes" if value else "no"
    if kind in ("number", "ip"):
        return _number_text(value)
    if kind == "duration":
        return _number_text(value.total_seconds())
    if kind == "source_number":
        return "" if value < 0 else str(value)
    return neutralise(value if isinstance(value, str) else str(value))


def csv_line(cells: list[str], delimiter: str) -> str:
    """One CSV record with PostgreSQL COPY's quoting (RFC 4180): a cell holding the delimiter, a
    quote, CR or LF is quoted with doubled quotes; so is a lone `\\.`, COPY's end marker."""
    special = (delimiter, '"', "\r", "\n")
    out = []
    for cell in cells:
        if any(mark in cell for mark in special) or (len(cells) == 1 and cell == "\\."):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return delimiter.join(out) + "\n"


def header_bytes(columns: list[ExportColumn], delimiter: str, encoding: str) -> bytes:
    bom = "\ufeff" if encoding == "utf-8-sig" else ""
    return (bom + csv_line([neutralise(column.label) for column in columns], delimiter)).encode("utf-8")


def copy_chunks(copy: psycopg.Copy) -> Iterator[bytes]:
    """A `COPY ... TO STDOUT`'s output in chunks of about CHUNK_BYTES.

    The server sends one message per row and psycopg's `read()` returns one, through two
    generators and a wait: about a microsecond of Python per row, a third of the worker's time.
    The rows libpq has already received are taken from it directly instead (`get_copy_data` without
    blocking); only when none is there does `read()` wait for the socket, or see the end.
    """
    connection = copy.connection
    pgconn = connection.pgconn
    receive = pgconn.get_copy_data
    buffer = bytearray()
    while True:
        size, data = receive(1)
        if size > 0:
            buffer += data
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
            continue
        if size < 0:
            # The end, received here rather than by read(): collect the COPY's result as read() does
            # (psycopg's own generator; tests/voipadmin/test_export_sql.py covers both ends).
            (result,) = connection.wait(fetch_many(pgconn))
            if result.status != pq.ExecStatus.COMMAND_OK:
                raise psycopg.errors.error_from_result(result, encoding=connection.info.encoding)
            break
        block = copy.read()
        if not block:
            break
        buffer += block
    if buffer:
        yield bytes(buffer)


def copy_rows(queryset: QuerySet, columns: list[ExportColumn], zone_name: str, delimiter: str) -> Iterator[bytes]:
    """Rows as CSV straight out of PostgreSQL's COPY, regrouped into chunks of about CHUNK_BYTES.

    One transaction holds the export's settings (SESSION_SQL) and is rolled back at the end: it
    wrote nothing, and its settings end with it (a savepoint's too, inside an outer transaction).
    """
    try:
        statement, params = copy_statement(queryset, columns, delimiter)
    except EmptyResultSet:  # a filter no row can match (an integer bound past the column's range)
        return
    connection = connections[queryset.db]
    with transaction.atomic(using=queryset.db):
        finished = False
        try:
            with connection.cursor() as cursor:
                cursor.execute(SESSION_SQL, [zone_name])
            with connection.connection.cursor() as cursor, cursor.copy(statement, params) as copy:
                yield from copy_chunks(copy)
            finished = True
        finally:
            if not finished:
                # A client that went away mid-COPY leaves the session mid-protocol: drop it (the
                # atomic block then leaves the rollback to the server).
                connection.close()
        transaction.set_rollback(True, using=queryset.db)


def python_rows(queryset: QuerySet, columns: list[ExportColumn], zone_name: str, delimiter: str) -> Iterator[bytes]:
    """The same bytes as `copy_rows`, for databases without COPY."""
    import zoneinfo

    zone = zoneinfo.ZoneInfo(zone_name)
    kinds = [column.kind for column in columns]
    lines: list[str] = []
    size = 0
    for values in queryset.values_list(*[column.path for column in columns]).iterator(chunk_size=2000):
        line = csv_line([_python_cell(kind, value, zone) for kind, value in zip(kinds, values, strict=True)], delimiter)
        lines.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(lines).encode("utf-8")
            lines, size = [], 0
    if lines:
        yield "".join(lines).encode("utf-8")


def export_stream(
    queryset: QuerySet,
    columns: list[ExportColumn],
    *,
    zone_name: str,
    delimiter: str,
    encoding: str,
    use_copy: bool | None = None,
) -> Iterator[bytes]:
    if use_copy is None:
        use_copy = connections[queryset.db].vendor == "postgresql"
    rows = copy_rows if use_copy else python_rows
    yield header_bytes(columns, delimiter, encoding)
    yield from rows(queryset, columns, zone_name, delimiter)


def export_response(
    report: Report, queryset: QuerySet, *, zone_name: str, delimiter: str, encoding: str
) -> StreamingHttpResponse:
    columns = export_columns(report, zone_name)
    # The stream runs after the view has returned, outside its read scope: bind the database now.
    queryset = with_export_expressions(queryset.using(queryset.db), columns)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        export_stream(queryset, columns, zone_name=zone_name, delimiter=delimiter, encoding=encoding),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{report.slug}-{stamp}.csv"'
    response["X-Accel-Buffering"] = "no"
    response["Cache-Control"] = "no-store"
    return response
