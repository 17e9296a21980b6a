"""Filter types every report uses, with widgets the generic filter bar knows how to draw."""

import datetime

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeRangeField, RangeField
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
    """Refuses years no record has (near year 1 or 9999, converting to UTC overflows on SQLite) and
    UTC offsets of 16 hours or more: Python reads them, PostgreSQL refuses them mid-query (a 500, or
    an export cut after its first line)."""

    years = range(1900, 9999)
    widest_offset = datetime.timedelta(hours=16)

    def compress(self, data_list):
        for moment in data_list or ():
            if moment is None:
                continue
            if moment.year not in self.years:
                raise forms.ValidationError(
                    f"give a time between the years {self.years.start} and {self.years.stop - 1}.", code="range"
                )
            offset = moment.utcoffset()
            if offset is not None and abs(offset) >= self.widest_offset:
                raise forms.ValidationError("give a UTC offset between -15:59 and +15:59.", code="offset")
        return super().compress(data_list)


class DateTimeRangeFilter(django_filters.DateTimeFromToRangeFilter):
    """From/to (both inclusive); a naive time is read in the viewer's zone, ISO offsets honoured."""

    field_class = BoundedDateTimeRangeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DateTimeRangeWidget)
        super().__init__(*args, **kwargs)


class BoundedRangeField(RangeField):
    """Two numbers, each refused (a 400 naming the field) below `min_value` when one is given."""

    def __init__(self, *args, min_value=None, **kwargs):
        fields = (forms.DecimalField(min_value=min_value), forms.DecimalField(min_value=min_value))
        super().__init__(fields, *args, **kwargs)


class NumberRangeFilter(django_filters.RangeFilter):
    """`<name>_min` / `<name>_max`, both inclusive; `min_value=0` for counts and durations, which a
    negative bound cannot mean."""

    field_class = BoundedRangeField


class YesNoFilter(django_filters.TypedChoiceFilter):
    """A boolean filter that refuses anything but true/false (django-filter's reads junk as "any")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("", "any"), ("true", "yes"), ("false", "no")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)
