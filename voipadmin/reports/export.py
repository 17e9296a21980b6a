"""Streaming CSV export of a report selection, in the viewer's zone and delimiter.

On PostgreSQL the rows leave the database through `COPY (SELECT ...) TO STDOUT`, with the time
zone conversion and the formula neutralisation done in the SELECT, so Python only moves bytes.
Elsewhere (SQLite under `make run`) the same bytes are produced by `csv.writer` over an iterator.
Both paths hold one chunk in memory at a time.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Case, F, Func, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse
from django.utils import timezone

from .definition import Report
from .formulae import neutralise, neutralise_sql

TIME_FORMAT_SQL = "YYYY-MM-DD HH24:MI:SS"
TIME_FORMAT_PY = "%Y-%m-%d %H:%M:%S"
CHUNK_BYTES = 64 * 1024
COPY_DELIMITERS = {",": "','", ";": "';'", "\t": "E'\\t'", "|": "'|'"}


@dataclass(frozen=True)
class ExportColumn:
    path: str
    label: str
    kind: str  # datetime, date, bool, number, ip, text
    expression: Any = None  # a Column's `export_as`, annotated under `path`


def _kind(field: models.Field) -> str:
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


class _LocalTime(Func):
    """to_char(ts AT TIME ZONE zone, 'YYYY-MM-DD HH24:MI:SS'): the wall-clock time of the viewer."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        parts = [compiler.compile(expression) for expression in self.get_source_expressions()]
        (value, p1), (zone, p2), (fmt, p3) = parts
        return f"to_char(({value}) AT TIME ZONE {zone}, {fmt})", [*p1, *p2, *p3]


class _Neutralised(Func):
    """The SQL twin of `neutralise` (formulae.py): a leading quote on formula-like cells, '' as empty."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        value, value_params = compiler.compile(self.get_source_expressions()[0])
        sql, (number, always, formula, quote) = neutralise_sql(value)
        p = list(value_params)
        # In the order the placeholders appear: CASE WHEN v ~ number THEN v WHEN left(v, 1) =
        # ANY(always) OR v ~ formula THEN quote || v ELSE NULLIF(v, '') END
        return sql, [*p, number, *p, *p, always, *p, formula, quote, *p, *p]


def _sql_expression(column: ExportColumn, zone_name: str):
    value = F(column.path)
    if column.kind == "datetime":
        return _LocalTime(value, Value(zone_name), Value(TIME_FORMAT_SQL))
    if column.kind == "date":
        return Func(value, Value("YYYY-MM-DD"), function="to_char", output_field=TextField())
    if column.kind == "bool":
        return Case(
            When(**{column.path: True}, then=Value("yes")),
            When(**{column.path: False}, then=Value("no")),
            default=Value(None),
            output_field=TextField(),
        )
    if column.kind in ("number", "ip"):
        return value
    if column.kind == "source_number":
        return Case(When(**{f"{column.path}__lt": 0}, then=Value(None)), default=value)
    return _Neutralised(Cast(value, TextField()))


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
        return str(value)
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


def copy_statement(
    queryset: QuerySet, columns: list[ExportColumn], zone_name: str, delimiter: str
) -> tuple[str, tuple]:
    """The `COPY (SELECT ...) TO STDOUT` an export runs, and its parameters."""
    names = [f"export_c{index}" for index in range(len(columns))]
    annotated = queryset.annotate(
        **{name: _sql_expression(column, zone_name) for name, column in zip(names, columns, strict=True)}
    ).values_list(*names)
    sql, params = annotated.query.sql_with_params()
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, DELIMITER {COPY_DELIMITERS[delimiter]})", params


def copy_rows(queryset: QuerySet, columns: list[ExportColumn], zone_name: str, delimiter: str) -> Iterator[bytes]:
    """Rows as CSV straight out of PostgreSQL's COPY, regrouped into chunks of about 64 KiB."""
    try:
        statement, params = copy_statement(queryset, columns, zone_name, delimiter)
    except EmptyResultSet:  # a filter no row can match (an integer bound past the column's range)
        return
    connection = connections[queryset.db]
    connection.ensure_connection()
    finished = False
    try:
        with connection.connection.cursor() as cursor, cursor.copy(statement, params) as copy:
            buffer = bytearray()
            for block in copy:
                buffer += block
                if len(buffer) >= CHUNK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
            if buffer:
                yield bytes(buffer)
        finished = True
    finally:
        if not finished:
            # A client that went away mid-COPY leaves the session mid-protocol: drop it.
            connection.close()


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
