from django.urls import include, path

from .reports import web_sessions

urlpatterns = [
    path("web-sessions/", include(web_sessions.urls)),
]
