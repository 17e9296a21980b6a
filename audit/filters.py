import django_filters

from voipadmin.reports.filters import ReportFilterSet
from voipadmin.reports.widgets import DateTimeRangeFilter

from .models import WebAccess


class WebAccessFilter(ReportFilterSet):
    time = DateTimeRangeFilter(label="Date")
    principal = django_filters.CharFilter(lookup_expr="icontains", label="Principal")
    ip = django_filters.CharFilter(lookup_expr="icontains", label="IP address")
    outcome = django_filters.MultipleChoiceFilter(choices=WebAccess.Outcome.choices, label="Event type")
    user_agent = django_filters.CharFilter(lookup_expr="icontains", label="User agent")

    search_fields = ("principal", "entered_login", "ip", "user_agent", "outcome", "reason")

    class Meta:
        model = WebAccess
        fields = ["time", "principal", "ip", "outcome", "user_agent"]
