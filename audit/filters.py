"""The audit reports' filters. A filter on a person (principal, action by, user) names one person:
an exact, case-insensitive match, so the history link of `bob` does not list `bobby`; looking
for part of a name is the quick search's job (`q`)."""

import django_filters

from voipadmin.reports.filters import ReportFilterSet
from voipadmin.reports.widgets import DateTimeRangeFilter, YesNoFilter

from .models import ActorKind, AuditAction, AuditRecord, ConfigChange, ServerEvent, WebAccess
from .registry import config_tables


class WebAccessFilter(ReportFilterSet):
    time = DateTimeRangeFilter(label="Date")
    principal = django_filters.CharFilter(lookup_expr="iexact", label="Principal")
    ip = django_filters.CharFilter(lookup_expr="icontains", label="IP address")
    outcome = django_filters.MultipleChoiceFilter(choices=WebAccess.Outcome.choices, label="Event type")
    user_agent = django_filters.CharFilter(lookup_expr="icontains", label="User agent")

    search_fields = ("principal", "entered_login", "ip", "user_agent", "outcome", "reason")

    class Meta:
        model = WebAccess
        fields = ["time", "principal", "ip", "outcome", "user_agent"]


def coded(choices) -> list[tuple[str, str]]:
    """`A — Add a record to a table`: the code people see in the list, with its meaning."""
    return [(value, f"{value} — {label}") for value, label in choices]


class AuditRecordFilter(ReportFilterSet):
    """Seed 002: Resource (where), Action (what), Action by (who), Start/End date (when)."""

    time = DateTimeRangeFilter(label="Date")
    resource_table = django_filters.CharFilter(lookup_expr="icontains", label="Resource")
    resource_id = django_filters.CharFilter(lookup_expr="icontains", label="Resource row")
    action = django_filters.MultipleChoiceFilter(choices=coded(AuditAction.choices), label="Action")
    actor_name = django_filters.CharFilter(lookup_expr="iexact", label="Action by")
    actor_kind = django_filters.MultipleChoiceFilter(choices=ActorKind.choices, label="Actor kind")
    statement = django_filters.CharFilter(lookup_expr="icontains", label="Statement")
    ip = django_filters.CharFilter(lookup_expr="icontains", label="User IP / node")

    search_fields = ("actor_name", "action", "resource_table", "resource_id", "statement", "ip")

    class Meta:
        model = AuditRecord
        fields = ["time", "resource_table", "resource_id", "action", "actor_name", "actor_kind", "statement", "ip"]


class ServerEventFilter(ReportFilterSet):
    time = DateTimeRangeFilter(label="Date")
    event_type = django_filters.MultipleChoiceFilter(choices=ServerEvent.EventType.choices, label="Event")
    username = django_filters.CharFilter(lookup_expr="iexact", label="User")
    success = YesNoFilter(label="Successful")
    ip = django_filters.CharFilter(lookup_expr="icontains", label="IP address")
    application = django_filters.CharFilter(lookup_expr="icontains", label="Application")
    description = django_filters.CharFilter(lookup_expr="icontains", label="Description")

    search_fields = ("event_type", "username", "entered_login", "real_user_id", "ip", "display_name", "description")

    class Meta:
        model = ServerEvent
        fields = ["time", "event_type", "username", "success", "ip", "application", "description"]


class ConfigChangeFilter(ReportFilterSet):
    time = DateTimeRangeFilter(label="Date")
    resource_table = django_filters.MultipleChoiceFilter(choices=[], label="Settings table")
    resource_id = django_filters.CharFilter(lookup_expr="icontains", label="Row")
    parameter = django_filters.CharFilter(method="changed_parameter", label="Parameter")
    action = django_filters.MultipleChoiceFilter(
        choices=coded([*AuditAction.choices[:4], (AuditAction.PSWD_CHNG, AuditAction.PSWD_CHNG.label)]), label="Change"
    )
    actor_name = django_filters.CharFilter(lookup_expr="iexact", label="Changed by")

    search_fields = ("actor_name", "resource_table", "resource_id", "statement")

    class Meta:
        model = ConfigChange
        fields = ["time", "resource_table", "resource_id", "parameter", "action", "actor_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the audited tables are known once every app is ready, not when this module is imported
        self.filters["resource_table"].extra["choices"] = [(table, table) for table in config_tables()]
        self.form.fields["resource_table"].choices = [(table, table) for table in config_tables()]

    def changed_parameter(self, queryset, name, value):
        return queryset.filter(details__changes__has_key=value.strip())
