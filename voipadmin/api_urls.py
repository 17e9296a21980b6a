"""`/api/v1/`: each app contributes its resources from its own api_urls module."""

from django.urls import include, path, re_path

from .api.errors import api_not_found

urlpatterns = [
    path("", include("registrations.api_urls")),
    path("", include("sip_sessions.api_urls")),
    path("", include("cdr.api_urls")),
    path("", include("audit.api_urls")),
    path("", include("conferences.api_urls")),
    path("", include("monitoring.api_urls")),
]
# Last: any other path under /api/v1/ is a JSON 404 like the API's own, not the HTML page.
urlpatterns.append(re_path(r"^.*$", api_not_found))
