from django.urls import include, path

from .reports import sip_sessions

urlpatterns = [
    path("sip-sessions/", include(sip_sessions.urls)),
]
