"""Keyset pagination over any sortable column, with the primary key as tie-breaker.

A page after a cursor is `WHERE (col, pk) > (v, k) ORDER BY col, pk LIMIT n`: a row-value
comparison that PostgreSQL turns into an index range, so page 1 and the last page cost the same
and nothing is ever counted. NULLs sort last ascending and first descending (PostgreSQL's own
default, so one B-tree on (col, pk) serves both directions); a nullable column is walked as two
segments, its values and its NULLs, each an index range of its own.
"""

import base64
import binascii
import datetime
import decimal
import json
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import BooleanField, Expression, F, QuerySet, Value
from django.utils.duration import duration_iso_string

from .filters import FilterError, model_field_at


class RowCompare(Expression):
    """`(a, b) > (x, y)` (or <, >=, <=): the comparison a B-tree on (a, b) answers as a range."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, fields: list[str], operator: str, values: list[Any], value_fields: list[models.Field]):
        super().__init__(output_field=BooleanField())
        if operator not in (">", "<", ">=", "<="):
            raise ValueError(operator)
        self.operator = operator
        self.lhs = [F(name) for name in fields]
        self.rhs = [Value(value, output_field=field) for value, field in zip(values, value_fields, strict=True)]

    def get_source_expressions(self):
        return [*self.lhs, *self.rhs]

    def set_source_expressions(self, exprs):
        half = len(exprs) // 2
        self.lhs, self.rhs = list(exprs[:half]), list(exprs[half:])

    def as_sql(self, compiler, connection):
        params: list[Any] = []
        left, right = [], []
        for expression in self.lhs:
            sql, p = compiler.compile(expression)
            left.append(sql)
            params.extend(p)
        for expression in self.rhs:
            sql, p = compiler.compile(expression)
            right.append(sql)
            params.extend(p)
        if len(left) == 1:
            return f"{left[0]} {self.operator} {right[0]}", params
        return f"({', '.join(left)}) {self.operator} ({', '.join(right)})", params


@dataclass(frozen=True)
class Ordering:
    field: str  # a model field name, or "pk"
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.field}" if self.descending else self.field


def parse_ordering(raw: str | None, allowed: list[str], default: str) -> Ordering:
    value = (raw or default).strip()
    name = value.lstrip("-")
    if name not in allowed and name != "pk":
        raise FilterError({"o": [f"cannot sort by '{name}'; sortable: {', '.join(allowed)}."]})
    return Ordering(field=name, descending=value.startswith("-"))


@dataclass(frozen=True)
class Cursor:
    value: Any
    pk: Any


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _value_at(row: models.Model, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def encode_cursor(ordering: Ordering, row: models.Model) -> str:
    value = row.pk if ordering.field == "pk" else _value_at(row, ordering.field)
    if isinstance(value, models.Model):
        value = value.pk
    payload = json.dumps([ordering.param, _jsonable(value), _jsonable(row.pk)], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(
    token: str, ordering: Ordering, model: type[models.Model], name: str, annotations: dict | None = None
) -> Cursor:
    damaged = FilterError({name: ["the page link is damaged or belongs to another report; start from the first page."]})
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        order, value, pk = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, RecursionError):
        raise damaged from None
    if order != ordering.param:
        raise FilterError({name: ["the page link was made for another sort order; start from the first page."]})
    try:
        pk = _checked(_key_field(model, "pk"), pk)
        if ordering.field != "pk" and value is not None:
            value = _checked(_key_field(model, ordering.field, annotations), value)
    except Exception:
        raise damaged from None
    return Cursor(value=value, pk=pk)


def _checked(field: models.Field, raw):
    """A key value the database will take: a forged link must not reach it as a bad inet, an
    out-of-range integer or a string with a NUL byte (each a database error, not a page)."""
    value = field.to_python(raw)
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL in a key")
    field.run_validators(value)
    return value


def _key_field(model: type[models.Model], name: str, annotations: dict | None = None) -> models.Field:
    if annotations and name in annotations:
        return annotations[name].output_field
    field = model._meta.pk if name == "pk" else model_field_at(model, name)
    return field.target_field if field.is_relation else field


def sort_column(model: type[models.Model], path: str, annotations: dict | None = None) -> tuple[str, bool]:
    """(what ORDER BY names, whether it can be NULL) for a sortable column: a local field by its
    column (`account_id`), a related one by its path (`caller__username`, a join), an annotation
    of the queryset by its name (a figure computed per row; never index-served)."""
    if annotations and path in annotations:
        return path, True
    parts = path.split("__")
    opts = model._meta
    nullable = False
    for part in parts[:-1]:
        link = opts.get_field(part)
        nullable = nullable or link.null
        opts = link.related_model._meta
    field = opts.get_field(parts[-1])
    # A generated column may be NULL whatever its `null` says (ended_at - started_at of a running call).
    nullable = nullable or field.null or bool(getattr(field, "generated", False))
    return (field.attname if len(parts) == 1 else path), nullable


@dataclass
class Page:
    rows: list[models.Model]
    ordering: Ordering
    next_cursor: str | None  # rows exist after the last one shown
    previous_cursor: str | None  # rows exist before the first one shown
    is_last_requested: bool = False

    @property
    def is_first(self) -> bool:
        return self.previous_cursor is None


def _segments(nullable: bool, ascending: bool) -> list[str]:
    if not nullable:
        return ["values"]
    return ["values", "nulls"] if ascending else ["nulls", "values"]


def _rows_after(
    queryset: QuerySet, ordering: Ordering, ascending: bool, cursor: Cursor | None, limit: int
) -> list[models.Model]:
    """Up to `limit` rows strictly after `cursor` walking in the given direction."""
    model = queryset.model
    pk_name = model._meta.pk.attname
    field = ordering.field
    on_pk = field == "pk"
    annotations = queryset.query.annotations
    column, nullable = (pk_name, False) if on_pk else sort_column(model, field, annotations)
    operator = ">" if ascending else "<"
    segments = _segments(nullable, ascending)
    start = 0
    if cursor is not None and nullable:
        start = segments.index("nulls" if cursor.value is None else "values")
    rows: list[models.Model] = []
    for position, segment in enumerate(segments[start:]):
        part = queryset
        if nullable:
            part = part.filter(**{f"{column}__isnull": segment == "nulls"})
        resume = cursor is not None and position == 0
        if segment == "nulls" or on_pk:
            keys = [pk_name]
            if resume:
                part = part.filter(RowCompare([pk_name], operator, [cursor.pk], [_key_field(model, "pk")]))
        else:
            keys = [column, pk_name]
            if resume:
                part = part.filter(
                    RowCompare(
                        keys,
                        operator,
                        [cursor.value, cursor.pk],
                        [_key_field(model, field, annotations), _key_field(model, "pk")],
                    )
                )
        order = [F(key).asc(nulls_last=True) if ascending else F(key).desc(nulls_first=True) for key in keys]
        rows.extend(part.order_by(*order)[: limit - len(rows)])
        if len(rows) >= limit:
            break
    return rows


def fetch_page(
    queryset: QuerySet,
    ordering: Ordering,
    size: int,
    *,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
) -> Page:
    """One page of `queryset` in `ordering`: the first, the one after/before a cursor, or the last."""
    model = queryset.model
    if after and before:
        raise FilterError({"after": ["give either 'after' or 'before', not both."]})
    forward = not (before or last)
    token, name = (after, "after") if after else (before, "before")
    cursor = decode_cursor(token, ordering, model, name, queryset.query.annotations) if token else None
    ascending = (not ordering.descending) if forward else ordering.descending
    rows = _rows_after(queryset, ordering, ascending, cursor, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    if not rows:
        return Page(rows=[], ordering=ordering, next_cursor=None, previous_cursor=None, is_last_requested=last)
    first_cursor = encode_cursor(ordering, rows[0])
    last_cursor = encode_cursor(ordering, rows[-1])
    if forward:
        previous = first_cursor if cursor is not None else None
        following = last_cursor if more else None
    else:
        previous = first_cursor if more else None
        following = last_cursor if cursor is not None else None
    return Page(rows=rows, ordering=ordering, next_cursor=following, previous_cursor=previous, is_last_requested=last)


def order_queryset(queryset: QuerySet, ordering: Ordering) -> QuerySet:
    """The whole selection in the page order (for export): same keys, same NULL placement."""
    model = queryset.model
    pk_name = model._meta.pk.attname
    annotations = queryset.query.annotations
    keys = [pk_name] if ordering.field == "pk" else [sort_column(model, ordering.field, annotations)[0], pk_name]
    if ordering.descending:
        return queryset.order_by(*[F(key).desc(nulls_first=True) for key in keys])
    return queryset.order_by(*[F(key).asc(nulls_last=True) for key in keys])
