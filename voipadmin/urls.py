from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from audit.auth import ConsoleAuthenticationForm

from .health import healthz, readyz
from .reports.views import deletion_job_view
from .views import console_settings, dashboard, preferences

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("", dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=ConsoleAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", preferences, name="preferences"),
    path("settings/", console_settings, name="settings"),
    path("deletions/<int:pk>/", deletion_job_view, name="deletion-job"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("voipadmin.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("registrations.urls")),
    path("", include("sip_sessions.urls")),
    path("", include("cdr.urls")),
    path("", include("audit.urls")),
    path("", include("conferences.urls")),
    path("", include("monitoring.urls")),
]
