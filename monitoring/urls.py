from django.urls import include, path

from . import views

app_patterns = (
    [
        path("", views.monitoring_page, name="page"),
        path("changes/", views.monitoring_changes, name="changes"),
        path("counts/", views.monitoring_counts, name="counts"),
        path("<int:account_id>/diagnostics/", views.diagnostics, name="diagnostics"),
    ],
    "monitoring",
)
urlpatterns = [path("monitoring/", include(app_patterns))]
