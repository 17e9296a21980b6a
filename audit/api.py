from voipadmin.api.resources import ReportResource

from .reports import web_sessions
from .serializers import WebAccessSerializer


class WebSessionResource(ReportResource):
    report = web_sessions
    serializer_class = WebAccessSerializer
