"""The chart endpoints beside a report's list URL: `chart/` (the fragment the list page loads),
`chart.svg` and `chart.json`, all for the list's own query string."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from voipadmin.preferences import zone_of

from .chart_drawing import draw
from .charts import chart_data
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
        data = chart_data(chart=report.chart, selection=selection, zone=zone)
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
            {"start": bucket.start.isoformat(), "counts": bucket.counts, "total": bucket.total}
            for bucket in data.buckets
        ],
        "total": data.total,
        "figures": dict(chart.figures(data)) if chart.figures else {},
    }
