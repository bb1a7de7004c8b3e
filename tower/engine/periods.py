"""Reading periods and dates typed by people: YYYY-MM months, 2026Q3 quarters and ISO dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")

# The years a person may type for a date, month or quarter. Supply-chain records start long
# after 1900 and plans end long before 2999; outside this range a period's neighbours (the
# trend's previous quarters, a month's next month) would leave Python's years 1 to 9999, so
# 0001Q1 or 9999-12 are refused here, where every command and page reads them, with a sentence.
FIRST_YEAR = 1900
LAST_YEAR = 2999
YEARS = f"years {FIRST_YEAR} to {LAST_YEAR}"


class OutOfRange(ValueError):
    """A well-written date or period outside FIRST_YEAR to LAST_YEAR."""


def _check_year(year: int, text: str, what: str) -> None:
    if year == 0:
        raise ValueError(f"{text!r} is not a {what}: the calendar has no year 0")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutOfRange(f"{text!r} is out of range: a {what} must be in the {YEARS}")


def parse_month(text: str) -> dt.date:
    """'2026-03' -> 2026-03-01; ValueError with a readable message otherwise."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month: write YYYY-MM, e.g. 2026-03")
    _check_year(int(match.group(1)), text, "month")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def parse_iso_date(text: str) -> dt.date:
    """'2026-03-31' -> a date; ValueError with a readable message otherwise."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date: write YYYY-MM-DD, e.g. 2026-03-31") from None
    _check_year(day.year, text, "date")
    return day


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


_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A reporting period of the scorecard: a calendar quarter or a month."""

    kind: str  # "quarter" or "month"
    start: dt.date  # first day
    end: dt.date  # last day

    @property
    def key(self) -> str:
        """'2026Q3' or '2026-07': how the period is written in URLs, files and the CLI."""
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return f"{self.start:%B %Y}"

    @property
    def months(self) -> list[dt.date]:
        return month_range(self.start, self.end)

    def shifted(self, count: int) -> Period:
        """The period `count` periods of the same kind after (or before) this one."""
        step = 3 if self.kind == "quarter" else 1
        return _period(self.kind, add_months(self.start, count * step))

    def previous(self, count: int) -> list[Period]:
        """The `count` periods before this one, oldest first."""
        return [self.shifted(-n) for n in range(count, 0, -1)]

    def __str__(self) -> str:
        return self.key


def _period(kind: str, start: dt.date) -> Period:
    months = 3 if kind == "quarter" else 1
    return Period(kind, start, add_months(start, months) - dt.timedelta(days=1))


def quarter_of(day: dt.date) -> Period:
    return _period("quarter", dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1))


def month_of(day: dt.date) -> Period:
    return _period("month", day.replace(day=1))


def parse_period(text: str) -> Period:
    """'2026Q3' (also '2026-Q3', '2026 q3') is a quarter, '2026-07' a month; ValueError otherwise."""
    text = text.strip()
    match = _QUARTER.match(text)
    if match:
        _check_year(int(match.group(1)), text, "quarter")
        return _period("quarter", dt.date(int(match.group(1)), int(match.group(2)) * 3 - 2, 1))
    try:
        return _period("month", parse_month(text))
    except OutOfRange:
        raise
    except ValueError:
        raise ValueError(
            f"{text!r} is not a period: write a quarter as 2026Q3 or a month as 2026-07"
        ) from None


def last_complete_quarter(today: dt.date) -> Period:
    """What a quarterly business review looks at by default."""
    return quarter_of(today).shifted(-1)
