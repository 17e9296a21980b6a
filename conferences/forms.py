from django import forms


class EndpointCleanupForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=36500,
        label="Keep endpoints seen in the last (days)",
        help_text="Endpoints not seen for longer are deleted.",
    )
