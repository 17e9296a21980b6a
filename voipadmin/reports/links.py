"""URLs of list pages, reversed once per URL name instead of once per row.

A page of 50 rows asked Django's resolver about 150 times (a detail link per row, a history link
per user cell). `page_url` reverses a name once with a placeholder key and fills in each row's key,
for the keys it can write exactly as `reverse` would: whole numbers, and, where the route takes
any text, keys of the characters `reverse` leaves as they are (`s1@video.example.test`). Any
other key goes through `reverse` itself.
"""

import functools
import re
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Digits, so that an <int:...> route takes it; long, so that it is found once in the reversed path.
PLACEHOLDER = "8642097531864"
# Every character `reverse` writes unquoted (quote's own safe set and Django's), none else.
PLAIN = re.compile(r"[-A-Za-z0-9_.~!$&'()*+,;=:@]+\Z")
TEXT_PLACEHOLDER = "zKey-_.~!$&'()*+,;=:@z"
NO_KEY = object()


@functools.cache
def _reversed(viewname: str, urlconf: str, prefix: str) -> str:
    return reverse(viewname, urlconf=urlconf)


@functools.cache
def _template(viewname: str, urlconf: str, prefix: str) -> tuple[str, str, bool] | None:
    """(text before the key, text after it, whether the route takes any text), or None."""
    try:
        url = reverse(viewname, urlconf=urlconf, args=[PLACEHOLDER])
    except NoReverseMatch:
        return None
    parts = url.split(PLACEHOLDER)
    if len(parts) != 2:
        return None
    try:
        takes_text = reverse(viewname, urlconf=urlconf, args=[TEXT_PLACEHOLDER]) == TEXT_PLACEHOLDER.join(parts)
    except NoReverseMatch:
        takes_text = False
    return parts[0], parts[1], takes_text


def page_url(viewname: str, key: Any = NO_KEY) -> str:
    """`reverse(viewname)` or `reverse(viewname, args=[key])`, the same string, without asking the
    resolver again for a name it has answered in this URLconf."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    prefix = get_script_prefix()
    if key is NO_KEY:
        return _reversed(viewname, urlconf, prefix)
    template = _template(viewname, urlconf, prefix)
    if template is not None:
        head, tail, takes_text = template
        if type(key) is int and key >= 0:
            return f"{head}{key}{tail}"
        if isinstance(key, str) and PLAIN.match(key) and (takes_text or (key.isascii() and key.isdigit())):
            return f"{head}{key}{tail}"
    return reverse(viewname, args=[key])


def forget_urls() -> None:
    _reversed.cache_clear()
    _template.cache_clear()


@receiver(setting_changed)
def _urlconf_changed(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        forget_urls()
