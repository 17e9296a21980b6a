"""The URLs every report gets: list, export.csv, delete/ and a detail page per row."""

from django.urls import path

from . import views

EXPORT_SEGMENT = "export.csv"
DELETE_SEGMENT = "delete"
CHART_SEGMENTS = ("chart", "chart.svg", "chart.json")
# What a row's key may not be, its detail page being `<key>/` beside the list: the machine's own
# pages, and the dot segments a browser resolves away before asking.
RESERVED_SEGMENTS = frozenset({EXPORT_SEGMENT, DELETE_SEGMENT, *CHART_SEGMENTS, ".", ".."})


def report_patterns(report) -> list:
    def bound(view_class):
        return type(f"{view_class.__name__}_{report.slug}", (view_class,), {"report": report}).as_view()

    charts = []
    if report.chart is not None:
        from .chart_views import ReportChartView

        charts = [
            path("chart/", bound(ReportChartView), name="chart"),
            path("chart.svg", bound(type("SvgChart", (ReportChartView,), {"output": "svg"})), name="chart-svg"),
            path("chart.json", bound(type("JsonChart", (ReportChartView,), {"output": "json"})), name="chart-json"),
        ]
    return [
        path("", bound(views.ReportListView), name="list"),
        *charts,
        path(EXPORT_SEGMENT, bound(views.ReportExportView), name="export"),
        path(f"{DELETE_SEGMENT}/", bound(views.ReportDeleteView), name="delete"),
        path("<str:pk>/", bound(views.ReportDetailView), name="detail"),
    ]
