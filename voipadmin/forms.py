from django import forms

from .console_settings import SPECS, console_setting
from .models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["time_zone", "csv_delimiter", "csv_encoding"]
        labels = {"time_zone": "Display time zone", "csv_delimiter": "CSV delimiter", "csv_encoding": "CSV encoding"}


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
