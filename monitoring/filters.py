"""The User Monitoring filters: department and state (several of each) and the quick search. One
FilterSet for the page, its poll and GET /api/v1/monitoring/, validated like every report's."""

import django_filters
from django.db.models import QuerySet

from registrations.models import Account
from voipadmin.reports import ReportFilterSet

from .rules import State


def department_choices(only: list[str] | None = None) -> list[tuple[str, str]]:
    """The departments accounts have now (read along the (department, username) index); `only`
    limits the read to the names asked for, which is all that validating a query needs."""
    names = Account.objects.exclude(department="")
    if only is not None:
        names = names.filter(department__in=only)
    names = names.order_by("department").values_list("department", flat=True).distinct()
    return [(name, name) for name in names]


class MonitoringFilter(ReportFilterSet):
    search_fields = ("username", "first_name", "last_name", "extension", "department")

    department = django_filters.MultipleChoiceFilter(choices=[], label="Department")
    state = django_filters.MultipleChoiceFilter(
        choices=[(state.value, f"{state.value} ({state.label})") for state in State], label="State", method="by_state"
    )

    # The page draws every department as a choice; the poll and the API only validate the query.
    lists_departments = True

    class Meta:
        model = Account
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        asked = None
        if not self.lists_departments:
            asked = self.data.getlist("department") if hasattr(self.data, "getlist") else []
        self.filters["department"].extra["choices"] = [] if asked == [] else department_choices(asked)

    def by_state(self, queryset: QuerySet, name: str, value) -> QuerySet:
        """A state is computed from terminals and bindings, not stored: the selection keeps every
        account and `states` below narrows the computed rows."""
        return queryset

    @property
    def states(self) -> list[str]:
        return list(self.form.cleaned_data.get("state") or [])


class MonitoringQueryFilter(MonitoringFilter):
    """The same filters for the poll and the API: no list of every department to draw."""

    lists_departments = False
