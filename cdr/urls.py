from django.urls import include, path

from .reports import cdr_report

urlpatterns = [
    path("cdr/", include(cdr_report.urls)),
]
