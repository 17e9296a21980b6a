from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import (
    ChatMessageResource,
    ConferenceEventResource,
    ConferenceSessionResource,
    EndpointResource,
    RecordingResource,
    SharedFileUpload,
)

router = SimpleRouter()
router.register("conference-events", ConferenceEventResource, basename="conference-events-api")
router.register("conferences", ConferenceSessionResource, basename="conferences-api")
router.register("chat-messages", ChatMessageResource, basename="chat-messages-api")
router.register("recordings", RecordingResource, basename="recordings-api")
router.register("endpoints", EndpointResource, basename="endpoints-api")
urlpatterns = [*router.urls, path("files/", SharedFileUpload.as_view(), name="files-api")]
