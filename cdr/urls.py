from django.urls import include, path

from . import views
from .calls import calls_report
from .reports import cdr_report

urlpatterns = [
    # before the report's own URLs, whose detail page would take "summary" for a row id
    path("cdr/summary/", views.summary, name="cdr-summary"),
    path("calls/", include(calls_report.urls)),
    path("cdr/", include(cdr_report.urls)),
]
