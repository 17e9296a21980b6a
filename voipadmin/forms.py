from django import forms
from django.utils.html import format_html, format_html_join

from .console_settings import SPECS, console_setting
from .models import Preference, zone_choices


class SearchableChoiceInput(forms.TextInput):
    """A text box with a `<datalist>` of the choices: typing `rome` offers Europe/Rome (the
    browser's own search, no script); the form field still accepts only a listed choice."""

    def __init__(self, choices, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.options = choices

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-choices"
        box = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">', ((choice,) for choice, _ in self.options()))
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["time_zone", "csv_delimiter", "csv_encoding"]
        labels = {"time_zone": "Display time zone", "csv_delimiter": "CSV delimiter", "csv_encoding": "CSV encoding"}
        widgets = {"time_zone": SearchableChoiceInput(zone_choices, attrs={"placeholder": "type to search, e.g. Rome"})}


class ConsoleSettingsForm(forms.Form):
    """One field per console setting (voipadmin/console_settings.py), filled with the effective values."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in SPECS:
            default = spec.default
            if spec.kind == "bool":
                field = forms.BooleanField(required=False)
                shown = "on" if default else "off"
            elif spec.kind == "choice":
                field = forms.ChoiceField(choices=spec.choices)
                shown = default
            else:
                field = forms.IntegerField(min_value=spec.minimum, max_value=spec.maximum)
                shown = default
            field.label = spec.label
            field.help_text = f"{spec.help} Default ({spec.key}): {shown}."
            field.initial = console_setting(spec.key)
            field.section = spec.section
            self.fields[spec.key] = field

    def sections(self) -> list[tuple[str, list]]:
        grouped: dict[str, list] = {}
        for name, field in self.fields.items():
            grouped.setdefault(field.section, []).append(self[name])
        return list(grouped.items())
