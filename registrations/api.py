from rest_framework import mixins, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission

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
)
from .services import accounts_upsert, registrations_store


class RegistrationResource(ReportResource):
    """GET: the accounts online now, each with its live contacts (Registered Accounts); POST: the
    registrar's events."""

    report = registered_accounts
    serializer_class = OnlineAccountSerializer
    ingest_serializer_class = RegistrationIngestSerializer
    ingest = staticmethod(registrations_store)


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
