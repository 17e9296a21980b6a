"""The console shell: dashboard and preferences (reports have the report machine's views)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .dashboard import cards_for
from .forms import PreferenceForm
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
