"""The recurrence rule of a meeting series, pure: every N weeks or every N months from a first
date. A monthly series keeps its day of the month (the 31st falls on the last day of a shorter
month, and comes back to the 31st in the next long one)."""

from __future__ import annotations

import calendar
import datetime as dt

WEEKS, MONTHS = "weeks", "months"


def occurrence(first: dt.date, every: int, unit: str, index: int) -> dt.date:
    """The `index`-th occurrence (0 is `first`)."""
    if every < 1:
        raise ValueError("A series recurs every 1 or more weeks or months.")
    if unit == WEEKS:
        return first + dt.timedelta(weeks=every * index)
    if unit == MONTHS:
        month = first.year * 12 + first.month - 1 + every * index
        year, month = divmod(month, 12)
        day = min(first.day, calendar.monthrange(year, month + 1)[1])
        return dt.date(year, month + 1, day)
    raise ValueError(f"Unknown unit {unit!r}: weeks or months.")


def next_after(first: dt.date, every: int, unit: str, day: dt.date) -> dt.date:
    """The first occurrence strictly after `day` (the first date itself when it is after)."""
    if first > day:
        return first
    if unit == WEEKS:
        index = (day - first).days // (7 * every) + 1
    else:
        index = ((day.year - first.year) * 12 + day.month - first.month) // every
    while occurrence(first, every, unit, index) <= day:
        index += 1
    while index > 0 and occurrence(first, every, unit, index - 1) > day:
        index -= 1
    return occurrence(first, every, unit, index)


def missed(first: dt.date, every: int, unit: str, due: dt.date, today: dt.date) -> int:
    """How many occurrences from `due` (an occurrence) are before `today`: 0 when not overdue."""
    count, current = 0, due
    while current < today and count < 1000:
        count += 1
        current = next_after(first, every, unit, current)
    return count


def describe(every: int, unit: str) -> str:
    single = unit.removesuffix("s")
    return f"every {single}" if every == 1 else f"every {every} {unit}"
