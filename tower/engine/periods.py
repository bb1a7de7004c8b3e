"""Reading periods and dates typed by people: YYYY-MM months and ISO dates."""

from __future__ import annotations

import datetime as dt
import re

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str) -> dt.date:
    """'2026-03' -> 2026-03-01; ValueError with a readable message otherwise."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month: write YYYY-MM, e.g. 2026-03")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def parse_iso_date(text: str) -> dt.date:
    """'2026-03-31' -> a date; ValueError with a readable message otherwise."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date: write YYYY-MM-DD, e.g. 2026-03-31") from None


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months after (or before) `month`'s month."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first`'s to `last`'s, as first days; empty when first is after last."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months
