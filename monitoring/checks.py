"""System checks of the monitoring settings."""

from django.conf import settings
from django.core.checks import Error, register

LEVELS = ("none", "headers", "full")


@register()
def diagnostics_detail_check(app_configs, **kwargs):
    level = settings.MONITORING_DIAGNOSTICS_DETAIL
    if level not in LEVELS:
        return [
            Error(
                f"MONITORING_DIAGNOSTICS_DETAIL is {level!r}.",
                hint="Set it to none (time, type, summary), headers (+ addresses, contact, user agent, "
                "dispositions) or full (+ details text, every CDR field, the pushed payload).",
                id="monitoring.E001",
            )
        ]
    return []
