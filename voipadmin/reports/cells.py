"""How a row's value is shown in a list cell or a detail panel."""

import html
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe

from .definition import Column, Report

# A cell longer than this is clipped to one line in the list (the full value in its hover and in the
# detail panel): one long permissions statement made the Audit Log 20,822 px wide.
CLIP_LENGTH = 60


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
        # Markup a report builds on purpose (Registered Accounts' contacts, one per line) is not clipped.
        return not isinstance(self.text, SafeString) and len(self.text) > CLIP_LENGTH

    @property
    def html(self) -> SafeString:
        """The `<td>` of the cell, escaped: one string per cell instead of a template fragment
        rendered per cell (a page is a thousand cells; the template loop cost most of its time)."""
        hint = self.hint
        css = self.css
        if self.clipped:
            hint = f"{self.text}\n{hint}" if hint and hint != self.text else self.text
            css = f"{css} clip".strip()
        # Always escaped: an attribute holding markup would end the tag early.
        title = f' title="{html.escape(str(hint))}"' if hint else ""
        label = f' data-label="{escape(self.label)}"' if self.label else ""
        text = escape(self.text)
        if self.clipped:
            text = f'<span class="clip-text">{text}</span>'
        inner = f'<a href="{escape(self.link)}">{text}</a>' if self.link else text
        return mark_safe(f'<td class="{escape(css)}"{title}{label}>{inner}</td>')  # noqa: S308 every part escaped


def resolve(row: models.Model, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def display(field: models.Field, value: Any) -> tuple[str, str]:
    """(text, css class) for a stored value."""
    if value is None or value == "" or (isinstance(field, models.JSONField) and value in ({}, [])):
        return "", "empty"
    if isinstance(field, models.DateTimeField):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S"), "time"
    if isinstance(field, models.BooleanField):
        return ("yes" if value else "no"), f"bool bool-{'yes' if value else 'no'}"
    if field.choices:
        flat = dict(field.flatchoices)
        return str(flat.get(value, value)), f"enum enum-{value}"
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return number_format(value), "number"
    if isinstance(field, models.ForeignKey):
        return str(value), ""
    if isinstance(field, models.JSONField):
        import json

        return json.dumps(value, ensure_ascii=False), "json"
    return str(value), ""


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
