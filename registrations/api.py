from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from voipadmin.api.errors import flatten
from voipadmin.api.permissions import CanIngest
from voipadmin.api.resources import IngestMixin, ReportResource
from voipadmin.reports.reads import ReplicaReadsMixin

from .models import Account
from .reports import registered_accounts, registration_history
from .serializers import (
    AccountIngestSerializer,
    AccountSerializer,
    BindingSerializer,
    OnlineAccountSerializer,
    RegistrationIngestSerializer,
    SnapshotResultSerializer,
    SnapshotSerializer,
)
from .services import accounts_upsert, registrations_snapshot, registrations_store


class RegistrationResource(ReportResource):
    """GET: the accounts online now, each with its live contacts (Registered Accounts); POST: the
    registrar's events."""

    report = registered_accounts
    serializer_class = OnlineAccountSerializer
    ingest_serializer_class = RegistrationIngestSerializer
    ingest = staticmethod(registrations_store)

    def get_permissions(self):
        return [CanIngest()] if self.action == "snapshot" else super().get_permissions()

    def get_serializer_class(self):
        return SnapshotSerializer if self.action == "snapshot" else super().get_serializer_class()

    @extend_schema(
        request=SnapshotSerializer,
        responses={200: SnapshotResultSerializer},
        summary="A registrar's full set of live contacts: the bindings missing from it end (resync)",
    )
    @action(detail=False, methods=["post"], url_path="snapshot")
    def snapshot(self, request):
        """Every live binding of `registrar` registered before `taken_at` and not among `contacts`
        ends at `taken_at` (reason resync); a contact with no live binding is opened; the rest
        stay (a later expiry extends them). Idempotent: the same snapshot again changes nothing."""
        given = SnapshotSerializer(data=request.data)
        if not given.is_valid():
            return Response(
                {"detail": "The snapshot was rejected; nothing was changed.", "errors": snapshot_errors(given.errors)},
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = registrations_snapshot(**given.validated_data)
        return Response(SnapshotResultSerializer(result).data, status=status.HTTP_200_OK)


def snapshot_errors(detail: dict) -> list[dict]:
    """The API's error list; a contact's error names its position: index 3, field `contacts[3].expires`."""
    errors = []
    for error in flatten(detail):
        field = error["field"] or ""
        head, _, rest = field.partition(".")
        position, _, name = rest.partition(".")
        if head == "contacts" and position.isdigit():
            error = {**error, "index": int(position), "field": f"contacts[{position}].{name}" if name else field}
        errors.append(error)
    return errors


class RegistrationHistoryResource(ReportResource):
    """GET: every binding, live or ended (Registration History), with that report's filters.

    Read-only: the history is written by the registrar's events posted to `registrations/`."""

    report = registration_history
    serializer_class = BindingSerializer


class CanViewAccounts(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("registrations.view_account"))


class AccountPagination(CursorPagination):
    ordering = ("username",)
    page_size = 100


class AccountResource(ReplicaReadsMixin, IngestMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """GET: accounts by username (`?username=`, `?department=`, `?extension=`); POST: upsert by
    username. Not a report (no page lists accounts), so it pages by a cursor on username."""

    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    ingest_serializer_class = AccountIngestSerializer
    ingest = staticmethod(accounts_upsert)
    pagination_class = AccountPagination
    filter_backends: list = []

    def get_permissions(self):
        return [CanIngest()] if self.action == "create" else [CanViewAccounts()]

    def get_queryset(self):
        queryset = Account.objects.all()
        for name in ("username", "department", "extension"):
            value = self.request.query_params.get(name)
            if value:
                queryset = queryset.filter(**{name: value})
        return queryset
