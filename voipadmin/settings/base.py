"""Settings read from the environment; see docs/configuration.md for every variable."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from .demo import demo_source_enabled
from .environment import env_bool, env_int, env_list, env_str
from .secret_key import refuse_weak_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VOIPADMIN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# An empty SECRET_KEY is reported by the voipadmin.E001 system check, not hidden by a default; a
# weak one is refused here, since gunicorn and Celery run no system checks.
SECRET_KEY = env_str("SECRET_KEY") or ("django-insecure-local-only" if DEBUG else "")
refuse_weak_secret_key(SECRET_KEY, debug=DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Proxies whose X-Forwarded-For is believed; anything else is the client's own claim.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# The demo source keeps the seeded server at work (docs/demo.md): make run turns it on, DEBUG only.
DEMO_SOURCE = demo_source_enabled(env_str("DEMO"), debug=DEBUG)
DEMO_INTERVAL = env_int("DEMO_INTERVAL", 10)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "voipadmin.apps.VoipadminConfig",
    "registrations",
    "sip_sessions",
    "cdr",
    "audit",
    "conferences",
    "monitoring",
    "sources",
]

MIDDLEWARE = [
    # Before anything reads request.is_secure(): only a trusted proxy may say the request was HTTPS.
    "voipadmin.request_context.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A person who wrote reads the primary until the replica has replayed it (no-op without one).
    "voipadmin.replica.middleware.ReadYourWritesMiddleware",
    "voipadmin.machine_clients.MachineClientsStayOutMiddleware",
    "voipadmin.request_context.RequestContextMiddleware",
    "voipadmin.preferences.PreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "voipadmin.no_store.NoStoreMiddleware",
]

ROOT_URLCONF = "voipadmin.urls"
WSGI_APPLICATION = "voipadmin.wsgi.application"
ASGI_APPLICATION = "voipadmin.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "voipadmin.menu.menu_context",
                "voipadmin.replica.context.read_source_context",
            ],
        },
    },
]

SQLITE_URL = f"sqlite:///{VAR_DIR / 'voipadmin.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL") or SQLITE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The zero-configuration default shares one file between the web server, worker and beat.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Behind PgBouncer in transaction mode a server-side cursor (the ORM's .iterator()) cannot outlive
# its transaction; see docs/deployment.md.
DISABLE_SERVER_SIDE_CURSORS = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DISABLE_SERVER_SIDE_CURSORS
# A streaming replica of the primary: reports, exports, charts and API GETs read from it, writes
# and a person's own fresh changes go to the primary (voipadmin/replica/, docs/replica.md).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
REPLICA_ALIAS = "replica"
if DATABASE_REPLICA_URL:
    DATABASES[REPLICA_ALIAS] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES[REPLICA_ALIAS]["DISABLE_SERVER_SIDE_CURSORS"] = DISABLE_SERVER_SIDE_CURSORS
    DATABASES[REPLICA_ALIAS]["OPTIONS"] = {"connect_timeout": env_int("REPLICA_CONNECT_TIMEOUT", 2)}
    # The replica is the primary's copy, not a database of its own to create for tests.
    DATABASES[REPLICA_ALIAS]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["voipadmin.replica.router.ReplicaRouter"]
# Seconds a replica found down is not asked again (reads go to the primary meanwhile).
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 10)
# Longest a person's reads stay on the primary after their own write, waiting for the replica.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 900)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# The default display zone; storage is always UTC, each viewer may pick another in preferences.
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# A load balancer probes the health endpoints over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Django's own Content-Security-Policy (docs/security.md): scripts only from this server (an inline
# one needs the request's nonce, `{{ csp_nonce }}`; inline event handlers are not allowed), no
# plugins, no framing, forms post only here. Inline style attributes stay allowed: the templates
# use them for widths and spacing, and a style cannot run code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "media-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Report machine
REPORT_PAGE_SIZE = env_int("REPORT_PAGE_SIZE", 50)
REPORT_DELETE_BATCH = env_int("REPORT_DELETE_BATCH", 20000)
# Above this many rows a confirmation page shows the planner's estimate instead of an exact figure.
REPORT_EXACT_COUNT_LIMIT = env_int("REPORT_EXACT_COUNT_LIMIT", 100000)
# A list page counts its selection exactly up to this many rows and shows "N+" past it.
REPORT_COUNT_CAP = env_int("REPORT_COUNT_CAP", 10000)
# ... in at most this time (PostgreSQL); a slower count shows only what the page knows ("51+").
REPORT_COUNT_TIMEOUT_MS = env_int("REPORT_COUNT_TIMEOUT_MS", 500)
# Seconds a list page keeps its filter bar, a count past the cap and a status line's estimate (0: never).
REPORT_CACHE_SECONDS = env_int("REPORT_CACHE_SECONDS", 60)

# Days each growing table keeps (0: for ever). Whole months go by dropping their partition.
RETENTION_DAYS = {
    "sip_sessions.SipEvent": env_int("RETENTION_SIP_EVENTS_DAYS", 0),
    "cdr.Cdr": env_int("RETENTION_CDR_DAYS", 0),
}

# The largest request body read into memory: an ingest batch of 10,000 items or a registrar's
# snapshot of tens of thousands of contacts is several MB (Django's 2.5 MB default refused a
# 6,000-contact Kamailio snapshot, so that registrar could not resync). Uploads stream to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 64 * 1024**2)

# WhiteNoise serves collected files in production and finds them in place in DEBUG and tests.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# conferences: recordings and shared files (kept through Django's storage API under MEDIA_ROOT)
# Days a recording is kept before the beat task deletes it (0: for ever).
RECORDING_RETENTION_DAYS = env_int("RECORDING_RETENTION_DAYS", 0)
RECORDING_MAX_UPLOAD_BYTES = env_int("RECORDING_MAX_UPLOAD_BYTES", 4 * 1024**3)
SHARED_FILE_MAX_UPLOAD_BYTES = env_int("SHARED_FILE_MAX_UPLOAD_BYTES", 200 * 1024**2)
# The days "Delete old endpoints..." keeps by default (seed 001: 180).
ENDPOINT_RETENTION_DAYS = env_int("ENDPOINT_RETENTION_DAYS", 180)

# audit: login lockout (audit/services/lockout.py). The backend counts every password check, for
# the console's login and the admin's alike.
AUTHENTICATION_BACKENDS = ["audit.auth.LockoutModelBackend"]
LOGIN_LOCKOUT_THRESHOLD = env_int("LOGIN_LOCKOUT_THRESHOLD", 5)
LOGIN_LOCKOUT_COOLOFF = env_int("LOGIN_LOCKOUT_COOLOFF", 900)

# cdr: the summary strip of the CDR report reads at most this many rows, within this time.
CDR_SUMMARY_ROWS = env_int("CDR_SUMMARY_ROWS", 20000)
CDR_SUMMARY_TIMEOUT_MS = env_int("CDR_SUMMARY_TIMEOUT_MS", 800)
# The strip's call count: exact up to this many calls, "N+" past it (never the planner's guess).
CDR_SUMMARY_COUNT_CAP = env_int("CDR_SUMMARY_COUNT_CAP", 100000)

# reports: a chart's reads (voipadmin/reports/charts.py) stop after this long on PostgreSQL.
CHART_TIMEOUT_MS = env_int("CHART_TIMEOUT_MS", 2000)

# sip_sessions: reconciliation of SIP events with registration bindings
# Pending events per batch (one UPDATE, one transaction each).
RECONCILE_BATCH = env_int("RECONCILE_BATCH", 20000)
# Connections that bind a run's batches at once (each its own id ranges): about one per core the
# database server can give it.
RECONCILE_WORKERS = max(1, env_int("RECONCILE_WORKERS", 2))
# A pending event is retried by every beat run for this long after it arrives; after that only
# when a binding at its address appears or changes.
RECONCILE_RETRY_HOURS = env_int("RECONCILE_RETRY_HOURS", 24)

# monitoring: User Monitoring page, its 2-second poll and the per-user diagnostics
# How much of each source the diagnostics page shows: none (time, type, summary), headers (+
# addresses, contact, user agent, dispositions) or full (+ details text, every CDR field, payload).
MONITORING_DIAGNOSTICS_DETAIL = env_str("MONITORING_DIAGNOSTICS_DETAIL", "headers")
# Off: the diag button and page say diagnostics are off (seeds 003/004: "if activated").
MONITORING_DIAGNOSTICS_ENABLED = env_bool("MONITORING_DIAGNOSTICS_ENABLED", True)
MONITORING_DIAGNOSTICS_HOURS = env_int("MONITORING_DIAGNOSTICS_HOURS", 48)
# At most this many entries per source (SIP events, calls, registrations, terminal changes).
MONITORING_DIAGNOSTICS_ROWS = env_int("MONITORING_DIAGNOSTICS_ROWS", 500)
# Days of pushed terminal states kept for the diagnostics (trimmed hourly by the beat task).
MONITORING_HISTORY_DAYS = env_int("MONITORING_HISTORY_DAYS", 3)
# Seconds between updates once the page's refresh is on (the seed's 2 seconds).
MONITORING_REFRESH_SECONDS = env_int("MONITORING_REFRESH_SECONDS", 2)
# Users per page of /monitoring/ (a wall of stickers; filters narrow it to a department or state).
MONITORING_PAGE_SIZE = env_int("MONITORING_PAGE_SIZE", 250)
# Seconds between two refreshes of the page's state counts (one aggregate over every selected user,
# so not on each 2-second update).
MONITORING_COUNTS_SECONDS = env_int("MONITORING_COUNTS_SECONDS", 30)
# The poll's token stays this many seconds behind the oldest open write transaction (clock skew),
# and never more than MONITORING_POLL_LOOKBACK seconds behind now.
MONITORING_POLL_MARGIN = env_int("MONITORING_POLL_MARGIN", 1)
MONITORING_POLL_LOOKBACK = env_int("MONITORING_POLL_LOOKBACK", 60)
# A token older than this (a client back after a long outage) gets every row, not a change list.
MONITORING_POLL_MAX_AGE = env_int("MONITORING_POLL_MAX_AGE", 600)
MONITORING_API_PAGE_SIZE = env_int("MONITORING_API_PAGE_SIZE", 250)
