"""A chart's geometry for the SVG template: stacked bars, axis ticks and a legend.

Drawn on the server (no script; fills are SVG presentation attributes and patterns, which a strict
Content-Security-Policy allows). Each series has a pattern as well as a colour, every bar a
<title> with its numbers, and the fragment a table of them: readable without colour.
"""

import datetime
import math
import zoneinfo
from dataclasses import dataclass

from .chart_svg import numbers_markup, svg_markup
from .charts import OTHER, ChartData

WIDTH, HEIGHT = 960, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 10, 12, 30
# Okabe-Ito: told apart by people with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#8C6D1F", "#999999")
ALERT = "#D55E00"
# A shape per series, drawn over its colour: solid, diagonal, dots, back-diagonal, horizontal, ...
MARKS = ("", "diagonal", "dots", "backdiagonal", "horizontal", "vertical", "grid")
# Errors: all on the alert colour, each with a shape of its own (cross-hatched first).
ALERT_MARKS = ("crosshatch", "dots", "diagonal", "backdiagonal", "horizontal", "vertical", "grid")


@dataclass(frozen=True)
class Style:
    ident: str
    colour: str
    mark: str


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass(frozen=True)
class Bar:
    segments: list[Segment]
    title: str
    x: float
    width: float


def nice_ceiling(value: int) -> int:
    """1, 2, 5 times a power of ten, at least `value` (and at least 4: four gridlines)."""
    if value <= 4:
        return 4
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def time_label(moment: datetime.datetime, step: int, zone: zoneinfo.ZoneInfo, *, with_day: bool) -> str:
    local = moment.astimezone(zone)
    if step >= 86400:
        return local.strftime("%d %b")
    return local.strftime("%d %b %H:%M" if with_day else "%H:%M")


def _clock(local: datetime.datetime, changes: bool) -> str:
    """HH:MM, with the zone's abbreviation where the clock shows that time twice (a fall-back)."""
    if changes and local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return f"{local:%H:%M %Z}"
    return f"{local:%H:%M}"


def interval_words(
    moment: datetime.datetime, stop: datetime.datetime, step: int, zone: zoneinfo.ZoneInfo, *, changes: bool = True
) -> str:
    """`2026-10-25` (a day), `2026-10-19 to 2026-10-25` (a week), `2026-10-25 02:00 CEST to 02:00 CET`;
    `changes=False`: the zone's offset is the same all through the chart (no fall-back to name)."""
    start = moment.astimezone(zone)
    if step >= 86400:
        last = (stop - datetime.timedelta(seconds=1)).astimezone(zone)
        return start.strftime("%Y-%m-%d") + ("" if last.date() == start.date() else last.strftime(" to %Y-%m-%d"))
    return f"{start:%Y-%m-%d} {_clock(start, changes)} to {_clock(stop.astimezone(zone), changes)}"


def label_of(data: ChartData, key: str) -> str:
    chart = data.chart
    return chart.series_label(key) if chart.series else chart.unit.capitalize()


def draw(data: ChartData, *, zone: zoneinfo.ZoneInfo, ident: str) -> dict:
    """Everything reports/_chart.html needs: the SVG, the numbers table's rows and the legend."""
    chart = data.chart
    alerts = {series.key for series in chart.series if series.alert}
    styles: dict[str, Style] = {}
    alerts_seen = 0
    for index, key in enumerate(data.keys):
        if key in alerts:
            styles[key] = Style(f"{ident}-{index}", ALERT, ALERT_MARKS[alerts_seen % len(ALERT_MARKS)])
            alerts_seen += 1
        elif key == OTHER:
            styles[key] = Style(f"{ident}-{index}", PALETTE[-1], "grid")
        else:
            styles[key] = Style(f"{ident}-{index}", PALETTE[index % len(PALETTE)], MARKS[index % len(MARKS)])
    top = nice_ceiling(data.peak)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(data.buckets), 1)
    slot = plot_width / count
    gap = 1 if slot > 3 else 0
    # the viewer's offset changes inside the chart (DST): the repeated hour's intervals name the zone
    changes = len({bucket.start.astimezone(zone).utcoffset() for bucket in data.buckets}) > 1
    words = [interval_words(bucket.start, bucket.stop, data.step, zone, changes=changes) for bucket in data.buckets]
    bars = []
    for position, bucket in enumerate(data.buckets):
        x = LEFT + position * slot
        base = TOP + plot_height
        segments = []
        for key in data.keys:
            value = bucket.counts.get(key, 0)
            if not value:
                continue
            height = plot_height * value / top
            base -= height
            segments.append(Segment(x, base, max(slot - gap, 0.5), height, f"url(#{styles[key].ident})"))
        parts = [f"{label_of(data, key)}: {bucket.counts.get(key, 0)}" for key in data.keys]
        title = f"{words[position]} — " + ", ".join(parts)
        if len(data.keys) > 1:
            title += f"; total {bucket.total}"
        bars.append(Bar(segments=segments, title=title, x=x, width=max(slot - gap, 0.5)))
    y_ticks = [
        {"y": TOP + plot_height - plot_height * value / top, "label": f"{value:,}"}
        for value in (top * part // 4 for part in range(5))
    ]
    every = max(1, math.ceil(count / 8))
    x_ticks = []
    previous_day = None
    for position in range(0, len(data.buckets), every):
        moment = data.buckets[position].start
        day = moment.astimezone(zone).date()
        x_ticks.append(
            {
                "x": LEFT + position * slot,
                "label": time_label(moment, data.step, zone, with_day=day != previous_day),
            }
        )
        previous_day = day
    legend = [
        {
            "key": key,
            "label": label_of(data, key),
            "style": styles[key],
            "count": data.count_of(key),
        }
        for key in data.keys
    ]
    rows = [
        {
            "interval": words[position],
            "counts": [bucket.counts.get(key, 0) for key in data.keys],
            "total": bucket.total,
        }
        for position, bucket in enumerate(data.buckets)
    ]
    drawing = {
        "ident": ident,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "plot_right": WIDTH - RIGHT,
        "plot_bottom": TOP + plot_height,
        "styles": list(styles.values()),
        "bars": bars,
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "legend": legend,
        "rows": rows,
        "figures": chart.figures(data) if chart.figures else [],
        "data": data,
        "step_words": data.step_words(),
    }
    drawing["svg"] = svg_markup(drawing)
    drawing["numbers"] = numbers_markup(drawing)
    return drawing
