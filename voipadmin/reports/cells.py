"""How a row's value is shown in a list cell or a detail panel."""

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.numberformat import format as format_number
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .definition import Column, Report

# A cell longer than this is clipped to one line in the list (the full value in its hover and in the
# detail panel): one long permissions statement made the Audit Log 20,822 px wide.
CLIP_LENGTH = 60

Shown = tuple[str, str]  # (text, css class)


def escaped(value: Any) -> str:
    """Django's conditional_escape without its lazy-string wrapper (a page escapes thousands of
    parts): markup stays as it is, anything else is escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def td_html(text: str, link: str | None = None, hint: str = "", css: str = "", label_attr: str = "") -> str:
    """The `<td>` of a cell, every part escaped. `label_attr` is the column's ` data-label="..."`,
    escaped once per page. Markup a report builds on purpose (Registered Accounts' contacts, one
    per line) is not clipped."""
    if not isinstance(text, SafeString) and len(text) > CLIP_LENGTH:
        hint = f"{text}\n{hint}" if hint and hint != text else text
        css = f"{css} clip".strip()
        inner = f'<span class="clip-text">{escaped(text)}</span>'
    else:
        inner = escaped(text)
    # Always escaped: an attribute holding markup would end the tag early.
    title = f' title="{html.escape(str(hint))}"' if hint else ""
    if link:
        inner = f'<a href="{escaped(link)}">{inner}</a>'
    return f'<td class="{escaped(css)}"{title}{label_attr}>{inner}</td>'


def label_attribute(label: str) -> str:
    return f' data-label="{escaped(label)}"' if label else ""


@dataclass(frozen=True)
class Cell:
    text: str
    link: str | None = None
    hint: str = ""
    css: str = ""
    # The column's title, shown before the value when a narrow screen stacks a row's cells.
    label: str = ""

    @property
    def clipped(self) -> bool:
        return not isinstance(self.text, SafeString) and len(self.text) > CLIP_LENGTH

    @property
    def html(self) -> SafeString:
        """The `<td>` of the cell, escaped."""
        return mark_safe(td_html(self.text, self.link, self.hint, self.css, label_attribute(self.label)))  # noqa: S308 every part escaped


def resolve(row: models.Model, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def value_getter(path: str) -> Callable[[models.Model], Any]:
    """`resolve` for one path, split once."""
    parts = path.split("__")
    if len(parts) == 1:
        name = parts[0]
        return lambda row: getattr(row, name)
    return lambda row: resolve(row, path)


def _is_empty(value: Any, json_field: bool) -> bool:
    return value is None or value == "" or (json_field and value in ({}, []))


def value_formatter(field: models.Field) -> Callable[[Any], Shown]:
    """How a stored value of `field` is shown, with what depends on the field, the viewer's zone
    and language worked out once: a page calls it for every cell."""
    json_field = isinstance(field, models.JSONField)

    def empty_or(shown: Callable[[Any], Shown]) -> Callable[[Any], Shown]:
        def show(value: Any) -> Shown:
            if _is_empty(value, json_field):
                return "", "empty"
            return shown(value)

        return show

    if isinstance(field, models.DateTimeField):
        zone = timezone.get_current_timezone()
        return empty_or(lambda value: (timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M:%S"), "time"))
    if isinstance(field, models.BooleanField):
        return empty_or(lambda value: ("yes", "bool bool-yes") if value else ("no", "bool bool-no"))
    if field.choices:
        labels = {value: str(label) for value, label in field.flatchoices}
        return empty_or(lambda value: (labels[value] if value in labels else str(value), f"enum enum-{value}"))
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        language = get_language()
        separator = get_format("DECIMAL_SEPARATOR", language, use_l10n=True)
        grouping = get_format("NUMBER_GROUPING", language, use_l10n=True)
        thousands = get_format("THOUSAND_SEPARATOR", language, use_l10n=True)

        def number(value: Any) -> Shown:
            return format_number(value, separator, None, grouping, thousands, use_l10n=True), "number"

        return empty_or(number)
    if isinstance(field, models.ForeignKey):
        return empty_or(lambda value: (str(value), ""))
    if json_field:
        return empty_or(lambda value: (json.dumps(value, ensure_ascii=False), "json"))
    return empty_or(lambda value: (str(value), ""))


def display(field: models.Field, value: Any) -> Shown:
    """(text, css class) for a stored value."""
    return value_formatter(field)(value)


def cell(report: Report, column: Column, row: models.Model, label: str = "") -> Cell:
    field = column.model_field(report.model)
    text, css = display(field, resolve(row, column.field))
    if column.text is not None:
        text = column.text(row)
    if column.css is not None:
        css = column.css(row)
    link = column.link(row) if column.link and text else None
    hint = column.hint(row) if column.hint else ""
    return Cell(text=text, link=link, hint=hint, css=css, label=label)


def detail_fields(row: models.Model) -> list[tuple[str, str, str]]:
    """(label, text, css) for every concrete field of a row, in model order."""
    out = []
    for field in row._meta.concrete_fields:
        value = getattr(row, field.name)
        text, css = display(field, value)
        label = str(field.verbose_name)
        out.append((label[:1].upper() + label[1:], text, css))
    return out
