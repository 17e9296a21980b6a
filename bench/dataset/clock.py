"""The benchmark's year: fixed dates (the data must not depend on the day it is made), office
hours heavier than nights and weekends, times as COPY text without a datetime per row."""

import datetime
import random
from collections.abc import Iterator

START = datetime.datetime(2025, 11, 1, tzinfo=datetime.UTC)
MONTHS = 12
END = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
START_EPOCH = int(START.timestamp())
END_EPOCH = int(END.timestamp())

# Relative traffic per hour of the day and per weekday (Monday first).
HOUR_WEIGHT = [1, 1, 1, 1, 1, 2, 4, 10, 30, 45, 50, 48, 35, 38, 48, 50, 45, 35, 18, 10, 6, 4, 2, 1]
DAY_WEIGHT = [10, 10, 10, 10, 9, 3, 2]

_DAYS: dict[int, str] = {}
_TIME_OF_DAY = [f" {h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]


def stamp(epoch: int) -> str:
    """`YYYY-MM-DD HH:MM:SS+00` of a whole-second epoch (cached per day)."""
    day, second = divmod(epoch, 86400)
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = datetime.datetime.fromtimestamp(day * 86400, datetime.UTC).strftime("%Y-%m-%d")
    return text + _TIME_OF_DAY[second]


def moment(epoch: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC)


def busy_seconds(rng: random.Random, count: int) -> Iterator[int]:
    """`count` whole-second times over the year in ascending order, with office-hour traffic.

    Each hour gets its share by cumulative rounding (exactly `count` in all), then sorted uniform
    seconds inside it.
    """
    hours = []
    weights = []
    for hour_start in range(START_EPOCH, END_EPOCH, 3600):
        when = moment(hour_start)
        hours.append(hour_start)
        weights.append(HOUR_WEIGHT[when.hour] * DAY_WEIGHT[when.weekday()])
    total = sum(weights)
    cumulative = 0
    placed = 0
    for hour_start, weight in zip(hours, weights, strict=True):
        cumulative += weight
        target = round(count * cumulative / total)
        n = target - placed
        placed = target
        if n:
            yield from sorted(hour_start + rng.randrange(3600) for _ in range(n))
