from django import forms

from .models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["time_zone", "csv_delimiter", "csv_encoding"]
        labels = {"time_zone": "Display time zone", "csv_delimiter": "CSV delimiter", "csv_encoding": "CSV encoding"}
