import base64
import binascii
from contextlib import nullcontext

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from registrations.models import Account
from voipadmin.api.permissions import CanIngest
from voipadmin.api.resources import IngestMixin
from voipadmin.reports import FilterError, validated_filterset
from voipadmin.reports.filters import NUL_MESSAGE
from voipadmin.reports.reads import ReplicaReadsMixin

from .filters import MonitoringQueryFilter
from .models import TerminalState
from .selectors import in_states, needs_states_sql, ordered_rows, without_jit
from .serializers import (
    MonitoredUserPageSerializer,
    TerminalStateIngestSerializer,
    TerminalStateSerializer,
    monitored_user,
)
from .services import terminal_states_store

VIEW = "monitoring.view_terminalstate"


class CanViewMonitoring(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm(VIEW))


class TerminalStatePagination(CursorPagination):
    ordering = ("id",)
    page_size = 500


class TerminalStateResource(ReplicaReadsMixin, IngestMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """POST: the server's terminal states (newest per terminal wins); GET: the current state of
    every terminal pushed (`?username=`), by a cursor on id."""

    serializer_class = TerminalStateSerializer
    ingest_serializer_class = TerminalStateIngestSerializer
    ingest = staticmethod(terminal_states_store)
    pagination_class = TerminalStatePagination
    filter_backends: list = []

    def get_permissions(self):
        return [CanIngest()] if self.action == "create" else [CanViewMonitoring()]

    def get_queryset(self):
        queryset = TerminalState.objects.select_related("account")
        username = self.request.query_params.get("username")
        if username and "\x00" in username:
            raise FilterError({"username": [NUL_MESSAGE]})
        return queryset.filter(account__username=username) if username else queryset


def _cursor(username: str) -> str:
    return base64.urlsafe_b64encode(username.encode()).decode().rstrip("=")


def _uncursor(token: str) -> str:
    try:
        username = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        username = ""
    if not username or "\x00" in username:  # PostgreSQL cannot compare a NUL
        raise FilterError({"after": ["the page link is damaged; start from the first page."]})
    return username


class MonitoringResource(ReplicaReadsMixin, viewsets.ViewSet):
    """Every user's state and terminals, by username, MONITORING_API_PAGE_SIZE per page (`next`).

    Filters as on the page: `department` and `state` (repeatable), `q`. The state filter runs in
    the database and a page reads its own accounts along the username index, so any page costs
    the same.
    """

    permission_classes = [CanViewMonitoring]

    @extend_schema(
        parameters=[
            OpenApiParameter("department", OpenApiTypes.STR, many=True),
            OpenApiParameter("state", OpenApiTypes.STR, many=True, enum=["RED", "ORANGE", "GREEN", "GREY"]),
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Quick search: username, name, surname, extension, department."
            ),
            OpenApiParameter("after", OpenApiTypes.STR, description="Cursor from `next`."),
        ],
        responses=MonitoredUserPageSerializer,
    )
    def list(self, request):
        params = request.query_params
        filterset = validated_filterset(MonitoringQueryFilter, params, Account.objects.all())
        size = settings.MONITORING_API_PAGE_SIZE
        now = timezone.now()
        selection = filterset.qs.order_by("username")
        if params.get("after"):
            selection = selection.filter(username__gt=_uncursor(params["after"]))
        with without_jit() if needs_states_sql(filterset.states) else nullcontext():
            if filterset.states:
                selection = in_states(selection, filterset.states, now=now)
            # the page's accounts with their terminals and bindings: one statement
            rows = ordered_rows(selection, size + 1, now=now)
        page = rows[:size]
        following = None
        if len(rows) > size:
            following = replace_query_param(request.build_absolute_uri(), "after", _cursor(page[-1].username))
        return Response({"next": following, "results": [monitored_user(row) for row in page]})
