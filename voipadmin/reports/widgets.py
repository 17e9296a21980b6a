"""Filter types every report uses, with widgets the generic filter bar knows how to draw."""

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeRangeField
from django_filters.widgets import RangeWidget

# A browser's own datetime-local picker writes the time in the browser's locale (12-hour in en-US);
# a text input in one 24-hour form, with the presets beside it, reads the same for every viewer.
TIME_INPUT_ATTRS = {
    "type": "text",
    "placeholder": "YYYY-MM-DD HH:MM",
    "inputmode": "numeric",
    "autocomplete": "off",
    "size": 17,
}


class DateTimeRangeWidget(RangeWidget):
    """Two 24-hour time inputs, `<name>_after` and `<name>_before`, read in the viewer's zone."""

    suffixes = ["after", "before"]

    def __init__(self, attrs=None):
        widgets = (
            forms.DateTimeInput(attrs=dict(TIME_INPUT_ATTRS), format="%Y-%m-%d %H:%M:%S"),
            forms.DateTimeInput(attrs=dict(TIME_INPUT_ATTRS), format="%Y-%m-%d %H:%M:%S"),
        )
        super(RangeWidget, self).__init__(widgets, attrs)


class BoundedDateTimeRangeField(IsoDateTimeRangeField):
    """Refuses years no record has: near year 1 or 9999, converting to UTC overflows (SQLite)."""

    years = range(1900, 9999)

    def compress(self, data_list):
        for moment in data_list or ():
            if moment is not None and moment.year not in self.years:
                raise forms.ValidationError(
                    f"give a time between the years {self.years.start} and {self.years.stop - 1}.", code="range"
                )
        return super().compress(data_list)


class DateTimeRangeFilter(django_filters.DateTimeFromToRangeFilter):
    """From/to (both inclusive); a naive time is read in the viewer's zone, ISO offsets honoured."""

    field_class = BoundedDateTimeRangeField

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
