"""System checks for the settings the console cannot run safely without."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from voipadmin.settings.secret_key import MIN_LENGTH, secret_key_weakness


def _secret_key() -> str:
    try:
        return settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        return ""


def _weak_key(weakness: str) -> Error:
    return Error(
        f"SECRET_KEY {weakness} while DEBUG is off.",
        hint=f"Set SECRET_KEY to a random string of {MIN_LENGTH} or more characters.",
        id="voipadmin.E001",
    )


@register(Tags.security)
def secret_key_check(app_configs, **kwargs):
    """A weak key stops every command that runs checks (runserver, migrate...), not only --deploy.

    An unset key is the deploy check's: building migrations in CI needs no key, and Django itself
    refuses to use an empty one.
    """
    key = _secret_key()
    weakness = secret_key_weakness(key)
    return [_weak_key(weakness)] if key and weakness and not settings.DEBUG else []


@register(Tags.security, deploy=True)
def secret_key_set_check(app_configs, **kwargs):
    """`check --deploy` also reports a key that is not set at all."""
    return [_weak_key(secret_key_weakness(""))] if not _secret_key() and not settings.DEBUG else []


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


@register(Tags.database)
def replica_check(app_configs, **kwargs):
    """A replica needs PostgreSQL on both sides (WAL positions) and a cache every process shares
    (the read-your-writes pins): docs/replica.md."""
    if settings.REPLICA_ALIAS not in settings.DATABASES:
        return []
    problems = []
    for alias in ("default", settings.REPLICA_ALIAS):
        if settings.DATABASES[alias]["ENGINE"] != "django.db.backends.postgresql":
            problems.append(
                Error(
                    f"DATABASE_REPLICA_URL is set but the {alias} database is not PostgreSQL.",
                    hint="A read replica is a PostgreSQL streaming replica of a PostgreSQL primary.",
                    id="voipadmin.E010",
                )
            )
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        problems.append(
            Warning(
                "DATABASE_REPLICA_URL is set but the cache is per process (no REDIS_URL).",
                hint="Set REDIS_URL: a person's read-your-writes pin must be seen by every web worker.",
                id="voipadmin.W010",
            )
        )
    return problems
