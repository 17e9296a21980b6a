"""`/api/v1/`: each app contributes its resources from its own api_urls module."""

from django.urls import include, path

urlpatterns = [
    path("", include("registrations.api_urls")),
    path("", include("sip_sessions.api_urls")),
    path("", include("cdr.api_urls")),
    path("", include("audit.api_urls")),
    path("", include("conferences.api_urls")),
    path("", include("monitoring.api_urls")),
    path("", include("sources.api_urls")),
]
