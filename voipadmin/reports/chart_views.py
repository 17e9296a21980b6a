"""The chart endpoints beside a report's list URL: `chart/` (the fragment the list page loads),
`chart.svg` and `chart.json`, all for the list's own query string."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from voipadmin.preferences import zone_of

from .chart_drawing import draw
from .charts import ChartTimeout, chart_data
from .filters import FilterError, select
from .views import ReportView


class ReportChartView(ReportView):
    output = "html"

    def get(self, request: HttpRequest) -> HttpResponse:
        report = self.report
        if report.chart is None:
            raise Http404
        try:
            selection = select(report, request.GET)
        except FilterError as error:
            return HttpResponse(f"Cannot chart: {error.summary()}\n", status=400, content_type="text/plain")
        zone = zone_of(request.preference)
        try:
            data = chart_data(chart=report.chart, selection=selection, zone=zone, timeout_ms=settings.CHART_TIMEOUT_MS)
        except ChartTimeout:
            message = (
                f"The chart of this selection took longer than {settings.CHART_TIMEOUT_MS} ms: choose a date range."
            )
            if self.output == "html":
                # the slot shows why there is no chart, and the list above it stays as it is
                return render(request, "reports/_chart_timeout.html", {"message": message})
            return HttpResponse(message + "\n", status=503, content_type="text/plain")
        if self.output == "json":
            return JsonResponse(chart_json(data))
        drawing = draw(data, zone=zone, ident=f"chart-{report.slug}")
        if self.output == "svg":
            return HttpResponse(drawing["svg"], content_type="image/svg+xml; charset=utf-8")
        return render(request, "reports/_chart.html", drawing)


def chart_json(data) -> dict:
    chart = data.chart
    return {
        "title": chart.title,
        "unit": chart.unit,
        "step_seconds": data.step,
        "start": data.start.isoformat() if data.start else None,
        "stop": data.stop.isoformat() if data.stop else None,
        "series": [{"key": key, "label": chart.series_label(key) if chart.series else chart.unit} for key in data.keys],
        "buckets": [
            {
                "start": bucket.start.isoformat(),
                "stop": bucket.stop.isoformat(),
                "counts": bucket.counts,
                "total": bucket.total,
            }
            for bucket in data.buckets
        ],
        "total": data.total,
        "figures": dict(chart.figures(data)) if chart.figures else {},
    }
