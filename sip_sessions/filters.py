import django_filters
from django.db.models import Q, QuerySet

from registrations.filters import RemoteAddressFilter
from registrations.models import Transport
from voipadmin.reports.filters import ReportFilterSet
from voipadmin.reports.widgets import DateTimeRangeFilter

from .models import PENDING, SipEvent, SipEventType

STATES = {
    "reconciled": ("Reconciled (bound by the task)", Q(reconciled=True)),
    "pending": ("Pending (waiting for a binding)", PENDING),
    "ambiguous": ("Ambiguous (two or more accounts)", Q(ambiguous=True)),
    "named": ("Named by the server", Q(reconciled=False) & ~Q(username="")),
}


class SipEventFilter(ReportFilterSet):
    time = DateTimeRangeFilter(label="Date")
    event = django_filters.MultipleChoiceFilter(choices=SipEventType.choices, label="Event")
    username = django_filters.CharFilter(label="Username")
    remote = RemoteAddressFilter()
    transport = django_filters.MultipleChoiceFilter(choices=Transport.choices)
    state = django_filters.MultipleChoiceFilter(
        choices=[(key, label) for key, (label, _) in STATES.items()], method="by_state", label="Reconciliation"
    )
    details = django_filters.CharFilter(lookup_expr="icontains", label="Details contain")

    search_fields = ("username", "event", "details", "remote_ip")

    class Meta:
        model = SipEvent
        fields = ["time", "event", "username", "remote", "transport", "state", "details"]

    def by_state(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        condition = Q()
        for key in value:
            condition |= STATES[key][1]
        return queryset.filter(condition)
