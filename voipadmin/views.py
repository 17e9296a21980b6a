"""The console shell: dashboard, preferences and settings (reports have the report machine's views)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .console_settings import console_settings_update
from .dashboard import cards_for
from .forms import ConsoleSettingsForm, PreferenceForm
from .preferences import preferences_for
from .reports.reads import reads_from_replica


@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "voipadmin/dashboard.html", {"cards": cards_for(request)})


def preferences(request: HttpRequest) -> HttpResponse:
    instance = preferences_for(request.user)
    instance.user = request.user
    form = PreferenceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Preferences saved.")
        return redirect("preferences")
    return render(request, "voipadmin/preferences.html", {"form": form, "default_zone": settings.TIME_ZONE})


@permission_required("voipadmin.change_consolesetting", raise_exception=True)
def console_settings(request: HttpRequest) -> HttpResponse:
    """`/settings/`: the settings the manuals put in the console, for Administrators."""
    form = ConsoleSettingsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = console_settings_update(values=form.cleaned_data, user=request.user)
        messages.success(request, f"Saved: {', '.join(changed)}." if changed else "Nothing changed.")
        return redirect("settings")
    return render(request, "voipadmin/settings.html", {"form": form}, status=400 if form.errors else 200)
