"""Per-viewer preferences: the display zone is activated for every request of that viewer."""

import zoneinfo

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from .models import CsvDelimiter, CsvEncoding, Preference


def preferences_for(user) -> Preference:
    """The saved preferences, or unsaved defaults for a viewer who never chose."""
    if user is None or not user.is_authenticated:
        return Preference(csv_delimiter=CsvDelimiter.COMMA, csv_encoding=CsvEncoding.UTF8)
    try:
        return user.preference
    except Preference.DoesNotExist:
        return Preference(user=user)


def zone_of(preference: Preference) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(preference.time_zone or settings.TIME_ZONE)


class PreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        preference = preferences_for(getattr(request, "user", None))
        request.preference = preference
        with timezone.override(zone_of(preference)):
            return self.get_response(request)
