from voipadmin.api.resources import ReportResource

from .reports import audit_log, config_changes, server_events, web_sessions
from .serializers import (
    AuditRecordSerializer,
    ConfigChangeSerializer,
    ServerConfigChangeIngestSerializer,
    ServerEventIngestSerializer,
    ServerEventSerializer,
    WebAccessSerializer,
)
from .services.events import server_events_store
from .services.server_config import server_config_changes_store


class WebSessionResource(ReportResource):
    report = web_sessions
    serializer_class = WebAccessSerializer


class AuditRecordResource(ReportResource):
    report = audit_log
    serializer_class = AuditRecordSerializer


class ConfigChangeResource(ReportResource):
    """GET the Configuration Changes; POST lets the VoIP server push changes of its own settings
    (idempotent by event_id)."""

    report = config_changes
    serializer_class = ConfigChangeSerializer
    ingest_serializer_class = ServerConfigChangeIngestSerializer
    ingest = staticmethod(server_config_changes_store)


class ServerEventResource(ReportResource):
    """GET the server event log; POST lets the VoIP server push its own events (idempotent by event_id)."""

    report = server_events
    serializer_class = ServerEventSerializer
    ingest_serializer_class = ServerEventIngestSerializer
    ingest = staticmethod(server_events_store)
