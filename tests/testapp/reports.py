import django_filters
from rest_framework import serializers

from voipadmin.api.resources import ReportResource
from voipadmin.bulk import insert_new
from voipadmin.partitions import ensure_partitions_for
from voipadmin.reports import Column, Report, ReportFilterSet
from voipadmin.reports.widgets import DateTimeRangeFilter, NumberRangeFilter, YesNoFilter

from .models import Probe


class ProbeFilter(ReportFilterSet):
    time = DateTimeRangeFilter()
    kind = django_filters.MultipleChoiceFilter(choices=Probe.Kind.choices)
    note = django_filters.CharFilter(lookup_expr="icontains")
    value = NumberRangeFilter()
    flag = YesNoFilter()

    search_fields = ("event_id", "kind", "note", "value")

    class Meta:
        model = Probe
        fields = ["time", "kind", "note", "value", "flag"]


probes = Report(
    slug="probes",
    title="Probes",
    model=Probe,
    filterset=ProbeFilter,
    columns=[
        Column("time"),
        Column("kind"),
        Column("note"),
        Column("value"),
        Column("flag"),
        Column("event_id", sortable=False),
    ],
    default_order="-time",
    delete_event="delete_events",
    deletable=lambda queryset: queryset.exclude(kind=Probe.Kind.KEEP),
    menu_group="Logs",
)


class ProbeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Probe
        fields = ["id", "event_id", "time", "kind", "note", "value", "flag"]


class ProbeIngestSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=64)
    time = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=Probe.Kind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    value = serializers.IntegerField(required=False, allow_null=True, default=None)


def probes_store(*, items: list[dict]) -> int:
    ensure_partitions_for(Probe, [item["time"] for item in items])
    return insert_new(Probe, [Probe(**item) for item in items])


class ProbeResource(ReportResource):
    report = probes
    serializer_class = ProbeSerializer
    ingest_serializer_class = ProbeIngestSerializer
    ingest = staticmethod(probes_store)
