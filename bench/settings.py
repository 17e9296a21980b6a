"""Settings of the benchmark: the console's own, served over plain HTTP on loopback, on the
benchmark database (DATABASE_URL, set by `python -m bench`). Tasks run in the calling process."""

from voipadmin.settings import *  # noqa: F403
from voipadmin.settings import LOGGING, STORAGES

DEBUG = False
SECRET_KEY = "bench-only-" + "b" * 50
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
