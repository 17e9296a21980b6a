"""The conference API: events pushed as JSON, recordings and files pushed as multipart uploads,
and every conference report readable with GET."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from voipadmin.api.errors import flatten
from voipadmin.api.permissions import CanIngest
from voipadmin.api.resources import ReportResource
from voipadmin.console_settings import console_setting
from voipadmin.request_context import rebind

from .reports import call_history, chat_messages, endpoints, recordings
from .serializers import (
    ChatMessageSerializer,
    ConferenceEventSerializer,
    ConferenceSessionSerializer,
    EndpointSerializer,
    RecordingSerializer,
    UploadSerializer,
)
from .services.events import conference_events_store
from .services.media import UploadRejected, recording_store, shared_file_store

# Multipart framing around the file: a body longer than the limit plus this is refused unread.
MULTIPART_OVERHEAD = 64 * 1024


class SessionLookup:
    """Sessions are addressed by their source id, which may hold dots (`1234@video.example.com`)."""

    lookup_field = "session_id"
    lookup_value_regex = "[^/]+"


class ConferenceEventResource(SessionLookup, ReportResource):
    """POST: conference events (DESIGN.md). GET: the sessions they make (Call History)."""

    report = call_history
    serializer_class = ConferenceSessionSerializer
    ingest_serializer_class = ConferenceEventSerializer
    ingest = staticmethod(conference_events_store)


class ConferenceSessionResource(SessionLookup, ReportResource):
    report = call_history
    serializer_class = ConferenceSessionSerializer


class ChatMessageResource(ReportResource):
    report = chat_messages
    serializer_class = ChatMessageSerializer


class EndpointResource(ReportResource):
    report = endpoints
    serializer_class = EndpointSerializer


def upload_response(request, store, limit: int) -> Response:
    """Validate and keep one multipart upload; 201 when stored, 200 when source_id was known."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        return _rejected(UploadRejected("file", f"the upload is larger than {limit} bytes.", status=413))
    serializer = UploadSerializer(data=request.data)
    if not serializer.is_valid():
        return Response(
            {"detail": "The upload was rejected; nothing was stored.", "errors": flatten(serializer.errors)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    data = serializer.validated_data
    try:
        row, created = store(
            session_id=data["session_id"],
            upload=data["file"],
            source_id=data.get("source_id"),
            created_at=data.get("created_at"),
            duration=data.get("duration"),
            started_at=data.get("started_at"),
        )
    except UploadRejected as rejected:
        return _rejected(rejected)
    body = {
        "id": row.pk,
        "session_id": row.session_id,
        "name": row.original_name,
        "size": row.size,
        "content_type": row.content_type,
        "created": created,
    }
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _rejected(rejected: UploadRejected) -> Response:
    return Response(
        {
            "detail": "The upload was rejected; nothing was stored.",
            "errors": [{"index": None, "field": rejected.field, "message": rejected.message}],
        },
        status=rejected.status,
    )


class RecordingResource(ReportResource):
    """GET: Conference Recordings. POST (multipart `session_id`, `file`): upload a recording."""

    report = recordings
    serializer_class = RecordingSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=UploadSerializer, responses={201: RecordingSerializer})
    def create(self, request, *args, **kwargs):
        return upload_response(request, recording_store, console_setting("RECORDING_MAX_UPLOAD_BYTES"))


class SharedFileUpload(APIView):
    """POST (multipart `session_id`, `file`): a file sent to a session's conference chat."""

    permission_classes = [CanIngest]
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        rebind(request._request, request.user)

    @extend_schema(request=UploadSerializer, responses={201: None})
    def post(self, request, *args, **kwargs):
        return upload_response(request, shared_file_store, settings.SHARED_FILE_MAX_UPLOAD_BYTES)
