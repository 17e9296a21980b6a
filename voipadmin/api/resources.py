"""One API resource per report: GET lists it with the report's filters; POST ingests (if it can)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from voipadmin.reports.filters import select
from voipadmin.reports.reads import ReplicaReadsMixin
from voipadmin.request_context import rebind

from .ingest import BatchRejected, ingest_batch
from .pagination import KeysetPagination
from .parsers import IngestJSONParser
from .permissions import CanIngest, CanViewReport


class ReportFilterBackend(DjangoFilterBackend):
    """The report's FilterSet, with the machine's refusal of unknown or unparsable filters."""

    def get_filterset_class(self, view, queryset=None):
        return view.report.filterset

    def filter_queryset(self, request, queryset, view):
        return select(view.report, request.query_params, queryset=queryset).queryset


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class IngestMixin:
    """POST of a batch through the ingest conventions: `ingest_serializer_class` validates each item,
    `ingest` (a service taking `items=` and returning how many rows it changed) stores them all."""

    ingest_serializer_class: type[serializers.Serializer] | None = None
    ingest = None
    # The project's parsers, JSON read by orjson (parsers.py).
    parser_classes = [
        IngestJSONParser if parser is JSONParser else parser for parser in api_settings.DEFAULT_PARSER_CLASSES
    ]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        rebind(request._request, request.user)

    def get_serializer_class(self):
        if self.action == "create" and self.ingest_serializer_class is not None:
            return self.ingest_serializer_class
        return super().get_serializer_class()

    @extend_schema(responses={201: IngestResultSerializer})
    def create(self, request, *args, **kwargs):
        try:
            result = ingest_batch(
                self.ingest_serializer_class, type(self).ingest, request.data, context={"request": request}
            )
        except BatchRejected as rejected:
            return rejected.response()
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)


class ReportResource(
    ReplicaReadsMixin, IngestMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Subclass with `report`, `serializer_class` and, for push endpoints, `ingest_serializer_class`
    and `ingest` (a service taking `items=` and returning how many rows it created)."""

    report = None
    pagination_class = KeysetPagination
    filter_backends = [ReportFilterBackend]

    def __init_subclass__(cls, **kwargs):
        """A resource with neither an ingest service nor a `create` of its own (an upload) takes no
        POST: a 405, and none in the schema."""
        super().__init_subclass__(**kwargs)
        own_create = cls.create is not IngestMixin.create
        if not own_create and (cls.ingest is None or cls.ingest_serializer_class is None):
            cls.http_method_names = [name for name in viewsets.GenericViewSet.http_method_names if name != "post"]

    def get_queryset(self):
        return self.report.with_related(self.report.base_queryset())

    def get_permissions(self):
        if self.action == "create":
            return [CanIngest()]
        return [CanViewReport()]
