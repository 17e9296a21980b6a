"""Test settings: the runtime settings, made fast, and refusing anything but PostgreSQL."""

from django.core.exceptions import ImproperlyConfigured

from . import *  # noqa: F403
from . import DATABASES

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Tests run on PostgreSQL only: set DATABASE_URL=postgres://... (make test does).")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A test-only app with a partitioned, ingestible table, wired like the real reports.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
ROOT_URLCONF = "tests.testapp.urls"
RETENTION_DAYS = {**RETENTION_DAYS, "testapp.Probe": 0}  # noqa: F405
SECRET_KEY = "tests-only-" + "x" * 50
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The test app's Probe.kind beside monitoring's terminal kind: two enums of one field name, named.
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,  # noqa: F405
    "ENUM_NAME_OVERRIDES": {
        **SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"],  # noqa: F405
        "ProbeKindEnum": "tests.testapp.models.Probe.Kind",
    },
}
