"""Date presets of a time filter (last hour, today, 24 hours, 7 days, this month): plain links that
fill the range in the viewer's zone, so they work without JavaScript."""

import datetime

from django.http import QueryDict

PRESETS = ("last hour", "today", "24 hours", "7 days", "this month")
# How a preset writes its bound: the viewer's wall-clock time, which the filter reads in their zone.
BOUND_FORMAT = "%Y-%m-%d %H:%M"


def preset_start(label: str, local_now: datetime.datetime) -> datetime.datetime:
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = {
        "last hour": local_now - datetime.timedelta(hours=1),
        "today": midnight,
        "24 hours": local_now - datetime.timedelta(hours=24),
        "7 days": local_now - datetime.timedelta(days=7),
        "this month": midnight.replace(day=1),
    }
    return starts[label].replace(second=0, microsecond=0)


def time_presets(
    *, params: QueryDict, name: str, now: datetime.datetime, zone: datetime.tzinfo
) -> list[tuple[str, str, bool]]:
    """(label, link, is the range now applied) per preset for the range filter `name`: the same
    query with `<name>_after` set to the preset's start and no upper bound; paging starts again."""
    local_now = now.astimezone(zone)
    presets = []
    for label in PRESETS:
        query = params.copy()
        for param in (f"{name}_after", f"{name}_before", "after", "before", "page"):
            query.pop(param, None)
        start = preset_start(label, local_now).strftime(BOUND_FORMAT)
        query[f"{name}_after"] = start
        current = params.get(f"{name}_after") == start and not params.get(f"{name}_before")
        presets.append((label, "?" + query.urlencode(), current))
    return presets
