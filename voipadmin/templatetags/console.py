"""Template helpers for the generic filter bar and the menu."""

from django import forms, template
from django.forms.widgets import MultiWidget
from django.utils import timezone

from voipadmin.reports.presets import time_presets as presets_for
from voipadmin.reports.widgets import DateTimeRangeWidget

register = template.Library()


@register.filter
def widget_kind(bound_field) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, MultiWidget):
        return "range"
    if isinstance(widget, forms.SelectMultiple | forms.CheckboxSelectMultiple):
        return "multi"
    if isinstance(widget, forms.Select | forms.NullBooleanSelect):
        return "select"
    if isinstance(widget, forms.NumberInput):
        return "number"
    return "text"


@register.filter
def range_parts(bound_field) -> list[dict]:
    """Name, value, input type and caption of each half of a range filter."""
    widget = bound_field.field.widget
    values = bound_field.value() or [None, None]
    if not isinstance(values, list | tuple):
        values = [values, None]
    parts = []
    for position, (suffix, sub) in enumerate(zip(widget.suffixes, widget.widgets, strict=True)):
        value = values[position] if position < len(values) else None
        input_type = sub.attrs.get("type", getattr(sub, "input_type", "text"))
        parts.append(
            {
                "name": f"{bound_field.html_name}_{suffix}",
                "value": "" if value in (None, "") else str(value),
                "type": input_type,
                "step": sub.attrs.get("step", ""),
                "placeholder": sub.attrs.get("placeholder", ""),
                "caption": {"after": "from", "before": "to", "min": "min", "max": "max"}.get(suffix, suffix),
            }
        )
    return parts


@register.filter
def chosen(bound_field) -> set[str]:
    value = bound_field.value() or []
    if not isinstance(value, list | tuple):
        value = [value]
    return {str(item) for item in value}


@register.filter
def as_str(value) -> str:
    return str(value)


@register.filter
def is_time_range(bound_field) -> bool:
    return isinstance(bound_field.field.widget, DateTimeRangeWidget)


@register.simple_tag(takes_context=True)
def time_presets(context, bound_field) -> list[tuple[str, str, bool]]:
    """The preset links of a time filter, from now in the viewer's zone."""
    return presets_for(
        params=context["request"].GET,
        name=bound_field.html_name,
        now=timezone.now(),
        zone=timezone.get_current_timezone(),
    )
