"""The dashboard's registrations-per-day chart, laid out here and drawn as SVG by its template.

The layout is computed in SVG user units on a fixed canvas the page scales to its
width: bars on a count axis whose top is a round number (1, 2 or 5 times a power
of ten a step), with at most a handful of ticks on each axis, dates written the
page language's way. The template adds a title, a description and the same
figures as a table, for readers who do not see the bars.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from babel.dates import format_skeleton
from flask_babel import get_locale

from eventday.i18n import DATE_LOCALES

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 44, 24, 12, 36  # room for the count labels and the dates
BAR_SHARE = 0.7  # of each day's slot; the rest is the gap between bars
MAX_BAR_WIDTH = 40  # a few days' bars stay bars, not walls
MAX_DATE_TICKS = 6
MAX_COUNT_STEPS = 4


@dataclasses.dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: str  # in words
    count: int


@dataclasses.dataclass(frozen=True)
class Tick:
    at: float  # x for a date, y for a count
    label: str


@dataclasses.dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    dates: list[Tick]
    counts: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def day_label(day: dt.date) -> str:
    """A day as an axis writes it, as the pages write dates: "25 janv.", "25 Jan"."""
    language = str(get_locale())
    return format_skeleton("dMMM", day, locale=DATE_LOCALES.get(language, language))


def per_day(days: list[tuple[dt.date, int]]) -> BarChart | None:
    """The chart of registrations made each day; None without any day."""
    if not days:
        return None
    top, step = _count_axis(max(count for _, count in days))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(days)
    width = min(slot * BAR_SHARE, MAX_BAR_WIDTH)
    bars = []
    for index, (day, count) in enumerate(days):
        height = plot_height * count / top
        bars.append(
            Bar(
                x=LEFT + index * slot + (slot - width) / 2,
                y=HEIGHT - BOTTOM - height,
                width=width,
                height=height,
                day=day_label(day),
                count=count,
            )
        )
    every = math.ceil(len(days) / MAX_DATE_TICKS)
    dates = [
        Tick(LEFT + (index + 0.5) * slot, day_label(day))
        for index, (day, _) in enumerate(days)
        if index % every == 0
    ]
    counts = [
        Tick(HEIGHT - BOTTOM - plot_height * value / top, str(value))
        for value in range(0, top + 1, step)
    ]
    return BarChart(bars, dates, counts)


def _count_axis(largest: int) -> tuple[int, int]:
    """The count axis's top and step: the step 1, 2 or 5 × 10ⁿ, at most a few of them."""
    if largest <= MAX_COUNT_STEPS:
        return max(largest, 1), 1
    rough = largest / MAX_COUNT_STEPS
    power = 10 ** math.floor(math.log10(rough))
    step = next(int(f * power) for f in (1, 2, 5, 10) if f * power >= rough)
    return math.ceil(largest / step) * step, step
