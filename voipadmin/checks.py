"""System checks for the settings the console cannot run safely without."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def secret_key_check(app_configs, **kwargs):
    errors = []
    key = settings.SECRET_KEY
    if not settings.DEBUG and (not key or key.startswith("django-insecure") or len(set(key)) < 5 or len(key) < 50):
        errors.append(
            Error(
                "SECRET_KEY is missing or weak while DEBUG is off.",
                hint="Set SECRET_KEY to a random string of 50 or more characters.",
                id="voipadmin.E001",
            )
        )
    return errors


@register(Tags.database)
def database_check(app_configs, **kwargs):
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3") and not settings.DEBUG:
        return [
            Warning(
                "The console runs on SQLite, the zero-configuration default for a local demo.",
                hint="Set DATABASE_URL=postgres://... for real use: exports stream through COPY and "
                "the big tables are partitioned by month only on PostgreSQL.",
                id="voipadmin.W002",
            )
        ]
    return []


@register()
def broker_check(app_configs, **kwargs):
    if settings.CELERY_BROKER_URL.startswith("filesystem") and not settings.DEBUG:
        return [
            Warning(
                "Celery uses the folder broker, the zero-configuration default.",
                hint="Set CELERY_BROKER_URL=redis://... for real use.",
                id="voipadmin.W003",
            )
        ]
    return []
