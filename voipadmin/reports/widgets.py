"""Filter types every report uses, with widgets the generic filter bar knows how to draw."""

import django_filters
from django import forms
from django_filters.widgets import RangeWidget


class DateTimeRangeWidget(RangeWidget):
    """Two datetime-local inputs, `<name>_after` and `<name>_before`, in the viewer's zone."""

    suffixes = ["after", "before"]

    def __init__(self, attrs=None):
        widgets = (
            forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}, format="%Y-%m-%dT%H:%M:%S"),
            forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}, format="%Y-%m-%dT%H:%M:%S"),
        )
        super(RangeWidget, self).__init__(widgets, attrs)


class DateTimeRangeFilter(django_filters.DateTimeFromToRangeFilter):
    """From/to (both inclusive); a naive time is read in the viewer's zone, ISO offsets honoured."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DateTimeRangeWidget)
        super().__init__(*args, **kwargs)


class NumberRangeFilter(django_filters.RangeFilter):
    """`<name>_min` / `<name>_max`, both inclusive."""


class YesNoFilter(django_filters.TypedChoiceFilter):
    """A boolean filter that refuses anything but true/false (django-filter's reads junk as "any")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("", "any"), ("true", "yes"), ("false", "no")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)
