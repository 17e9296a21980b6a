from voipadmin.api.resources import ReportResource

from .reports import cdr_report
from .serializers import CdrIngestSerializer, CdrSerializer
from .services.ingest import cdrs_ingest


class CdrResource(ReportResource):
    """GET: the Call Detail Records report with its filters. POST: Asterisk CDRs, idempotent."""

    report = cdr_report
    serializer_class = CdrSerializer
    ingest_serializer_class = CdrIngestSerializer
    ingest = staticmethod(cdrs_ingest)
