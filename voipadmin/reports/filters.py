"""The filtering half of the report machine: one FilterSet per report, shared by web and API.

django-filter silently skips a value it cannot parse and ignores parameters it does not know;
for a report whose selection may be exported or deleted that would widen the selection without a
word, so `select` refuses both with an error that names the parameter. A NUL character in any value
is refused the same way, before any FilterSet sees it: PostgreSQL cannot hold one in text, so a
query that carried it would fail as a 500 instead of saying what is wrong.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

if TYPE_CHECKING:
    from .definition import Report

# Parameters the machine itself reads; everything else must be a filter of the report.
RESERVED_PARAMETERS = frozenset({"o", "after", "before", "page", "panel", "format", "size"})
NUL_MESSAGE = "Null characters are not allowed."


class FilterError(Exception):
    """A query the report cannot honour; `errors` maps each parameter to what is wrong with it."""

    def __init__(self, errors: Mapping[str, list[str]]):
        self.errors = {name: list(messages) for name, messages in errors.items()}
        super().__init__(self.summary())

    def summary(self) -> str:
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in self.errors.items())


class ReportFilterSet(django_filters.FilterSet):
    """Base of every report's FilterSet: adds the quick search `q` over `search_fields` and, for a
    report's page, over every column it shows or exports (`search_paths`, given by `select`)."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="quick_search", label="Search")

    def __init__(self, *args, search_paths: Iterable[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.search_paths = tuple(dict.fromkeys([*self.search_fields, *search_paths]))
        for filter_ in self.filters.values():
            # django-filter's MultipleChoiceFilter adds DISTINCT, needed only across to-many joins; on
            # a report's own column it makes every page sort the whole selection and puts the order
            # columns into the export's SELECT.
            if "__" not in (filter_.field_name or ""):
                filter_.distinct = False

    def quick_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word must match some column (case-insensitive contains); words are ANDed."""
        for word in value.split():
            queryset = queryset.filter(self.word_condition(word))
        return queryset

    def word_condition(self, word: str) -> Q:
        """The rows where some searched column holds `word` as the page shows it: the stored text,
        or the label of a choice ("No answer", "2 busy"), or yes/no for a flag."""
        from django.core.exceptions import FieldDoesNotExist

        condition = Q()
        for path in self.search_paths:
            try:
                condition |= path_condition(self._meta.model, path, word)
            except FieldDoesNotExist:  # a figure annotated on the report's rows: its own filters serve it
                continue
        return condition if condition else Q(pk__in=[])


def path_condition(model, path: str, word: str) -> Q:
    """`word` in the column at `path`: what is shown, not only what is stored."""
    from django.db import models

    field = model_field_at(model, path)
    needle = word.casefold()
    if isinstance(field, models.DateTimeField | models.DateField | models.FileField):
        return Q()  # shown in the viewer's zone or as a link: the range filters serve these
    if isinstance(field, models.BooleanField):
        return Q(**{path: needle == "yes"}) if needle in ("yes", "no") else Q()
    if field.choices:
        values = [
            value
            for value, label in field.flatchoices
            if needle in str(value).casefold() or needle in str(label).casefold()
        ]
        return Q(**{f"{path}__in": values}) if values else Q()
    if field.is_relation:
        return Q(**{f"{path}__pk__icontains": word})
    return Q(**{f"{path}__icontains": word})


def model_field_at(model, path: str):
    opts = model._meta
    parts = path.split("__")
    for part in parts[:-1]:
        opts = opts.get_field(part).related_model._meta
    return opts.get_field(parts[-1])


def accepted_parameters(filterset: ReportFilterSet) -> set[str]:
    names = set(RESERVED_PARAMETERS)
    for name, field in filterset.form.fields.items():
        names.add(name)
        suffixes = getattr(field.widget, "suffixes", None)
        if suffixes:
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
    return names


def _is_set(value) -> bool:
    if value is None or value == "" or value == [] or value == ():
        return False
    if isinstance(value, slice):
        return value.start is not None or value.stop is not None
    return True


@dataclass
class Selection:
    """A validated, filtered (not yet ordered) selection of a report's rows."""

    report: "Report"
    filterset: ReportFilterSet
    params: QueryDict

    @property
    def queryset(self) -> QuerySet:
        return self.filterset.qs

    def filtered_by(self) -> set[str]:
        """The names of the filters that narrow the selection."""
        return {name for name, value in self.filterset.form.cleaned_data.items() if _is_set(value)}

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, value in words) for each filter that narrows the selection."""
        active = []
        for name, value in self.filterset.form.cleaned_data.items():
            if not _is_set(value):
                continue
            field = self.filterset.form.fields[name]
            label = str(field.label or name)
            active.append((label[:1].upper() + label[1:], describe_value(field, value)))
        return active

    def chips(self) -> list[tuple[str, str, str]]:
        """(label, value in words, link to the same query without that filter) per active filter:
        the chips above a list whose filter form is folded away once applied."""
        chips = []
        for name, value in self.filterset.form.cleaned_data.items():
            if not _is_set(value):
                continue
            field = self.filterset.form.fields[name]
            suffixes = getattr(field.widget, "suffixes", None) or [""]
            kept = self.params.copy()
            for param in {name, *(f"{name}_{suffix}" if suffix else name for suffix in suffixes)}:
                kept.pop(param, None)
            for param in ("after", "before", "page"):
                kept.pop(param, None)
            label = str(field.label or name)
            chips.append((label[:1].upper() + label[1:], describe_value(field, value), "?" + kept.urlencode()))
        return chips

    def describe(self) -> str:
        return "; ".join(f"{label}: {value}" for label, value in self.active_filters()) or "all rows"

    def filter_query(self) -> str:
        """The query string without the machine's own parameters (paging, order) nor empty fields
        (a submitted filter form sends every field, most of them blank)."""
        kept = QueryDict(mutable=True)
        for name in self.params:
            if name in RESERVED_PARAMETERS:
                continue
            values = [value for value in self.params.getlist(name) if value != ""]
            if values:
                kept.setlist(name, values)
        return kept.urlencode()


def _moment(value) -> str:
    """A range bound as the lists write time: 24-hour, in the viewer's zone, no offset."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def describe_value(field: forms.Field, value) -> str:
    if isinstance(value, slice):
        start, stop = _moment(value.start), _moment(value.stop)
        if value.start is not None and value.stop is not None:
            return f"{start} to {stop}"
        return f"from {start}" if value.start is not None else f"until {stop}"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if choices and value in choices:
        return str(choices[value])
    return str(value)


def validated_filterset(
    filterset_class: type[ReportFilterSet],
    params: QueryDict,
    queryset: QuerySet,
    *,
    extra_parameters: Iterable[str] = (),
    search_paths: Iterable[str] = (),
) -> ReportFilterSet:
    """The FilterSet bound to the query, or FilterError naming each unknown or unreadable
    parameter. `extra_parameters` are read by the caller itself (a page that is not a report)."""
    nul = sorted(name for name in params if any("\x00" in value for value in params.getlist(name)))
    if nul:
        # Before the FilterSet exists: building one may already read the database (choices).
        raise FilterError({name: [NUL_MESSAGE] for name in nul})
    extra = {"search_paths": tuple(search_paths)} if search_paths else {}
    filterset = filterset_class(params, queryset=queryset, **extra)
    unknown = sorted(set(params.keys()) - accepted_parameters(filterset) - set(extra_parameters))
    errors: dict[str, list[str]] = {name: [f"'{name}' is not a filter of this report."] for name in unknown}
    if not filterset.is_valid():
        for name, messages in filterset.form.errors.items():
            errors.setdefault(name, []).extend(str(message) for message in messages)
    if errors:
        raise FilterError(errors)
    return filterset


def select(report: "Report", params: QueryDict, queryset: QuerySet | None = None) -> Selection:
    """Validate the query against the report's FilterSet; raise FilterError naming what is wrong."""
    base = queryset if queryset is not None else report.base_queryset()
    filterset = validated_filterset(report.filterset, params, base, search_paths=report.search_paths())
    return Selection(report=report, filterset=filterset, params=params)
