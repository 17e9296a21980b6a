"""The body of a list page's table, as one string made by formatters set up once per request.

A page is 50 rows of about 12 cells: asking each cell's field, zone, number format and URLs anew,
and looping over the cells in the template, cost most of the page's time. `ListTable` works out
per column what depends only on the column and the viewer (the field's formatter, the escaped
label) and per page what depends only on the report (its detail URL), then writes each row.
"""

import html
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property

from django.db import models
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from .cells import Cell, cell, label_attribute, td_html, value_formatter, value_getter
from .definition import Column, Report
from .links import page_url

RowCell = Callable[[models.Model], str]


def column_renderer(report: Report, column: Column, label: str) -> RowCell:
    """A row's `<td>` for `column`: what `cells.cell(...).html` gives, without the per-cell setup."""
    shown = value_formatter(column.model_field(report.model))
    value_of = value_getter(column.field)
    label_attr = label_attribute(label)
    text_of, css_of, link_of, hint_of = column.text, column.css, column.link, column.hint

    def render(row: models.Model) -> str:
        if text_of is not None and css_of is not None:
            text, css = text_of(row), css_of(row)
        else:
            text, css = shown(value_of(row))
            if text_of is not None:
                text = text_of(row)
            if css_of is not None:
                css = css_of(row)
        link = link_of(row) if link_of is not None and text else None
        hint = hint_of(row) if hint_of is not None else ""
        return td_html(text, link, hint, css, label_attr)

    return render


# One row as reports/list.html wrote it when it looped over the cells (byte for byte).
ROW = (
    "\n            \n"
    '            <tr data-detail="{url}" data-pk="{pk}">\n'
    '              <td class="row-detail"><a href="{url}" aria-label="Details" title="Open details" data-detail-link>\n'
    '                <svg class="icon" width="16" height="16" aria-hidden="true" focusable="false">'
    '<use href="#icon-details"/></svg></a></td>\n'
    "              {cells}\n"
    "            </tr>\n"
    "          "
)


class ListTable:
    """The columns `columns` of `report` ((column, title) pairs, as the headers show them)."""

    def __init__(self, report: Report, columns: Sequence[tuple[Column, str]]):
        self.detail_view = report.url_name("detail")
        self.cells = [column_renderer(report, column, label) for column, label in columns]

    def row(self, row: models.Model) -> str:
        url = html.escape(page_url(self.detail_view, row.pk))
        cells = "".join(render(row) for render in self.cells)
        return ROW.format(url=url, pk=html.escape(str(row.pk)), cells=cells)

    def body(self, rows: Sequence[models.Model]) -> SafeString:
        return mark_safe("".join(self.row(row) for row in rows))  # noqa: S308 every part escaped


class RowCells(Sequence):
    """The page's rows as (key, [Cell, ...]) pairs, the `rows` of the list's context, made only
    when something reads them (a template that looks into a cell, a test) and then in the zone and
    language of the request; a template that only asks whether there are rows makes none."""

    def __init__(self, report: Report, columns: Sequence[tuple[Column, str]], rows: Sequence[models.Model]):
        self.report, self.columns, self.rows = report, columns, rows
        self.zone = timezone.get_current_timezone()
        self.language = translation.get_language()

    @cached_property
    def pairs(self) -> list[tuple[object, list[Cell]]]:
        with timezone.override(self.zone), translation.override(self.language):
            return [
                (row.pk, [cell(self.report, column, row, label) for column, label in self.columns]) for row in self.rows
            ]

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __getitem__(self, index):
        return self.pairs[index]

    def __iter__(self) -> Iterator[tuple[object, list[Cell]]]:
        return iter(self.pairs)
