from django.urls import include, path

from . import views
from .reports import call_history, chat_messages, endpoints, recordings

# The media and action pages come first: the reports' `<pk>/` would not match them anyway, but
# the order says which view owns a path.
urlpatterns = [
    path("recordings/<int:pk>/media/", views.recording_media, name="recording-media"),
    path("recordings/<int:pk>/download/", views.recording_download, name="recording-download"),
    path("recordings/<int:pk>/delete/", views.recording_delete_view, name="recording-delete"),
    path("conferences/files/<int:pk>/download/", views.shared_file_download, name="shared-file-download"),
    path("conferences/files/<int:pk>/delete/", views.shared_file_delete_view, name="shared-file-delete"),
    path("endpoints/cleanup/", views.endpoints_cleanup, name="endpoints-cleanup"),
    path("conferences/", include(call_history.urls)),
    path("chat/", include(chat_messages.urls)),
    path("recordings/", include(recordings.urls)),
    path("endpoints/", include(endpoints.urls)),
]
