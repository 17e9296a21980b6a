import django_filters
from django.db.models import Q, QuerySet

from registrations.models import Account
from voipadmin.reports.filters import ReportFilterSet
from voipadmin.reports.widgets import DateTimeRangeFilter, NumberRangeFilter

from .models import Cdr


class CdrFilter(ReportFilterSet):
    start = DateTimeRangeFilter(label="Date")
    src = django_filters.CharFilter(lookup_expr="icontains", label="Source")
    dst = django_filters.CharFilter(lookup_expr="icontains", label="Destination")
    account = django_filters.CharFilter(method="by_account", label="Account (caller or callee)")
    disposition = django_filters.MultipleChoiceFilter(choices=Cdr.Disposition.choices, label="Disposition")
    duration = NumberRangeFilter(label="Duration (s)", min_value=0)
    billsec = NumberRangeFilter(label="Billsec (s)", min_value=0)
    uniqueid = django_filters.CharFilter(label="Unique ID")
    linkedid = django_filters.CharFilter(label="Linked ID")

    search_fields = ("src", "dst", "clid", "channel", "dstchannel", "lastapp", "accountcode", "uniqueid", "linkedid")

    class Meta:
        model = Cdr
        fields = ["start", "src", "dst", "account", "disposition", "duration", "billsec", "uniqueid", "linkedid"]

    def by_account(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Calls the account placed or took: its username, exactly (any case)."""
        accounts = Account.objects.filter(username__iexact=value.strip()).values("pk")
        return queryset.filter(Q(caller__in=accounts) | Q(callee__in=accounts))
