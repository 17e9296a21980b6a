"""What a SECRET_KEY must be once DEBUG is off: Django's own rule (security.W009), enforced.

Django only warns, and only under `check --deploy`; gunicorn and Celery run no system checks at
all. A guessable key lets anyone forge sessions and signed values, so the settings refuse it.
"""

from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5
INSECURE_PREFIX = "django-insecure"


def secret_key_weakness(key: str) -> str | None:
    """Why the key will not do for a server (never quoting it), or None when it will."""
    if not key:
        return "is not set"
    if key.startswith(INSECURE_PREFIX):
        return f"is a development key (it starts with {INSECURE_PREFIX!r})"
    if len(key) < MIN_LENGTH:
        return f"is {len(key)} characters long, fewer than {MIN_LENGTH}"
    if len(set(key)) < MIN_UNIQUE_CHARACTERS:
        return f"has fewer than {MIN_UNIQUE_CHARACTERS} different characters"
    return None


def refuse_weak_secret_key(key: str, *, debug: bool) -> None:
    """Raise ImproperlyConfigured for a key given but weak while DEBUG is off.

    An unset key is left to the voipadmin.E001 check (so `check --deploy` can report it) and to
    Django, which refuses to hand out an empty key.
    """
    if debug or not key:
        return
    weakness = secret_key_weakness(key)
    if weakness:
        raise ImproperlyConfigured(
            f"SECRET_KEY {weakness}; with DEBUG off it must be a random string of {MIN_LENGTH} or more "
            f'characters (e.g. python -c "import secrets; print(secrets.token_urlsafe(64))").'
        )
