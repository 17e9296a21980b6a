from voipadmin.api.resources import ReportResource

from .reports import sip_sessions
from .serializers import SipEventIngestSerializer, SipEventSerializer
from .services import sip_events_store


class SipEventResource(ReportResource):
    report = sip_sessions
    serializer_class = SipEventSerializer
    ingest_serializer_class = SipEventIngestSerializer
    ingest = staticmethod(sip_events_store)
