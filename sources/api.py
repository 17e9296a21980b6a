from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from voipadmin.api.ingest import BatchRejected
from voipadmin.api.permissions import CanIngest
from voipadmin.api.resources import IngestMixin

from .kamailio.ingest import kamailio_facts_store, kamailio_usrloc_store
from .serializers import KamailioFactSerializer, KamailioUsrlocSerializer


class KamailioFactResource(IngestMixin, viewsets.GenericViewSet):
    """POST: a batch of Kamailio's outbox rows (integrations/kamailio/), in outbox order; each is
    mapped to registrations, SIP events, CDRs and terminal states (docs/sources-kamailio.md)."""

    serializer_class = KamailioFactSerializer
    ingest_serializer_class = KamailioFactSerializer
    ingest = staticmethod(kamailio_facts_store)
    permission_classes = [CanIngest]


class KamailioUsrlocResource(viewsets.GenericViewSet):
    """POST: Kamailio's `ul.dump` as the registrar's snapshot: bindings of that registrar it no
    longer holds end with reason `resync`, contacts the console missed are opened."""

    serializer_class = KamailioUsrlocSerializer
    permission_classes = [CanIngest]

    @extend_schema(responses={200: None})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return Response({"detail": "The snapshot was rejected.", "errors": serializer.errors}, status=400)
        try:
            result = kamailio_usrloc_store(**serializer.validated_data)
        except BatchRejected as rejected:
            return rejected.response()
        return Response(result, status=status.HTTP_200_OK)
