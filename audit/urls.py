from django.urls import include, path

from .reports import audit_log, config_changes, server_events, web_sessions

urlpatterns = [
    path("web-sessions/", include(web_sessions.urls)),
    path("audit/", include(audit_log.urls)),
    path("events/", include(server_events.urls)),
    path("config-changes/", include(config_changes.urls)),
]
