"""The demo source's switch (sources/demo.py): invented traffic is for `make run` only."""

from django.core.exceptions import ImproperlyConfigured

from .environment import FALSE_WORDS, TRUE_WORDS


def demo_source_enabled(raw: str | None, *, debug: bool) -> bool:
    """Whether the demo source feeds the console. `DEMO=1` only with `DEBUG=1`: with DEBUG off the
    settings refuse to load, so no production process can invent calls among real ones. `sip` is
    `make run DEMO=sip` (real SIP traffic through Kamailio and SIPp), which needs no demo source."""
    word = (raw or "").strip().lower()
    if word in FALSE_WORDS or word == "sip":
        return False
    if word not in TRUE_WORDS:
        raise ImproperlyConfigured(f"DEMO={raw!r}: use 1 (the demo source), 0 (off) or sip")
    if not debug:
        raise ImproperlyConfigured(
            "DEMO=1 feeds invented calls and registrations; it runs only with DEBUG=1 (make run), never in production"
        )
    return True
