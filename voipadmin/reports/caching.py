"""What a list page keeps for a minute in the configured cache (Django's cache framework): the
filter bar drawn for a query string, a selection's count past the cap or after a slow count, the
planner's estimate of a status line. Each key holds everything its answer depends on.

A cached answer may be up to `REPORT_CACHE_SECONDS` old: "10,000+ rows" stays true as rows come
in, and an estimate is an estimate; a count below the cap is only kept when it was slow to make.
"""

import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

_generation = "1"


def cache_seconds() -> int:
    return max(0, int(settings.REPORT_CACHE_SECONDS))


def cache_key(*parts: object) -> str:
    """`reports:<kind>:<digest>` of the parts (a query string may be longer than a key may be)."""
    digest = hashlib.sha256(repr((_generation, *parts)).encode()).hexdigest()
    return f"reports:{parts[0]}:{digest}"


def remembered[T](parts: tuple, make: Callable[[], T], *, keep: Callable[[T], bool] = lambda answer: True) -> T:
    """The cached answer for `parts`, else `make()`, cached when `keep(answer)` says so."""
    seconds = cache_seconds()
    if not seconds:
        return make()
    key = cache_key(*parts)
    answer = cache.get(key)
    if answer is None:
        answer = make()
        if answer is not None and keep(answer):
            cache.set(key, answer, seconds)
    return answer


def forget_cached_pages() -> None:
    """Make every answer cached so far unreachable in this process (tests: each starts afresh)."""
    global _generation
    _generation = secrets.token_hex(8)
