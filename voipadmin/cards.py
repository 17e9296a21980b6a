"""The dashboard's "Last 24 hours" card: the chart of every report that has one, for that window."""

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from .dashboard import Card, register_card
from .reports import all_reports

WINDOW = datetime.timedelta(hours=24)


def last_day_charts(request) -> dict:
    # to the minute: the same URLs for a minute, whoever opens the dashboard
    until = timezone.now().replace(second=0, microsecond=0)
    since = until - WINDOW
    charts = []
    for report in all_reports():
        if report.chart is None or not request.user.has_perm(report.view_permission):
            continue
        query = urlencode(report.chart.window_query(since, until))
        charts.append(
            {
                "title": report.title,
                "chart": f"{reverse(report.url_name('chart'))}?{query}",
                "list": f"{reverse(report.url_name('list'))}?{query}",
            }
        )
    return {"charts": charts}


register_card(Card("Last 24 hours", "voipadmin/cards/last_day_charts.html", last_day_charts, order=5))
