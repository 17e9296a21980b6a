"""The URLs every report gets: list, export.csv, delete/ and a detail page per row."""

from django.urls import path

from . import views


def report_patterns(report) -> list:
    def bound(view_class):
        return type(f"{view_class.__name__}_{report.slug}", (view_class,), {"report": report}).as_view()

    return [
        path("", bound(views.ReportListView), name="list"),
        path("export.csv", bound(views.ReportExportView), name="export"),
        path("delete/", bound(views.ReportDeleteView), name="delete"),
        path("<str:pk>/", bound(views.ReportDetailView), name="detail"),
    ]
