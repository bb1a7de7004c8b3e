"""Business hours of a site (kpis.md 9): a clock counts working time only.

A Calendar names the working weekdays, the daily opening window (local wall-clock time, whole
minutes, 00:00 to 24:00), the IANA time zone and the holidays. `deadline` adds a response time
in working hours to a moment (the Frappe Helpdesk / Zendesk rule: a trigger on Friday 16:00
with 4 business hours and 08:00-17:00 Monday-Friday is due Monday 11:00); `working_hours_between`
counts the working hours between two moments.

Working time is elapsed time inside the day's window: the window of a day is the span between
its local opening and closing instants, so on a daylight-saving change a window that crosses
the change (a 24-hour site) is an hour shorter or longer, as the clock on the wall says.
A deadline that lands exactly on a closing time is that closing time, not the next opening.

Pure Python (zoneinfo): no Django. Inputs are bounded so that no call can loop for long: at
most MAX_HOURS hours, a window of at least MIN_WINDOW_MINUTES, at most MAX_HOLIDAYS holidays,
moments in the years FIRST_YEAR to LAST_YEAR.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from tower.engine.periods import FIRST_YEAR, LAST_YEAR

UTC = dt.UTC
MAX_HOURS = 10_000
MIN_WINDOW_MINUTES = 15
MAX_HOLIDAYS = 1_000
DAY_MINUTES = 24 * 60
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class CalendarError(ValueError):
    """A calendar, a time or a number of hours that cannot be used, with a readable message."""


def _zone(name: str) -> ZoneInfo:
    name = (name or "").strip()
    # ZoneInfo accepts file paths relative to the zone database ("../..."): only real zone names.
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*", name):
        raise CalendarError(f"{name!r} is not a time zone: write an IANA name, e.g. Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CalendarError(
            f"{name!r} is not a time zone: write an IANA name, e.g. Europe/Berlin"
        ) from None


def local_text(moment: dt.datetime, time_zone: str, *, year: bool = False) -> str:
    """A UTC moment as a site's people read it, its zone named: 'Mon 7 Dec 11:00 (Europe/Berlin)'
    (with `year`: 'Mon 7 Dec 2026 11:00 (Europe/Berlin)'). An unknown zone falls back to UTC,
    named as such, so a page never fails on a stored zone."""
    try:
        zone = _zone(time_zone)
    except CalendarError:
        zone = ZoneInfo("UTC")
    local = _moment(moment, "moment").astimezone(zone)
    day = f"{local:%a} {local.day} {local:%b}" + (f" {local.year}" if year else "")
    return f"{day} {local:%H:%M} ({zone.key})"


def is_time_zone(name: str) -> bool:
    try:
        _zone(name)
    except CalendarError:
        return False
    return True


def time_zone_names() -> list[str]:
    """Every IANA zone name the machine knows, sorted (for a page's choices)."""
    return sorted(available_timezones())


@dataclass(frozen=True)
class Calendar:
    """When a site works. `weekdays`: 0 = Monday ... 6 = Sunday; `start_minute`/`end_minute`:
    the daily window in minutes after local midnight (480-1020 is 08:00-17:00; 1440 is 24:00)."""

    weekdays: frozenset[int]
    start_minute: int
    end_minute: int
    time_zone: str
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        days = frozenset(self.weekdays)
        if not days:
            raise CalendarError("A calendar needs at least one working weekday.")
        if not days <= set(range(7)):
            raise CalendarError("Working weekdays are 0 (Monday) to 6 (Sunday).")
        object.__setattr__(self, "weekdays", days)
        for name in ("start_minute", "end_minute"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise CalendarError("Opening and closing times are whole minutes.")
        if not 0 <= self.start_minute < self.end_minute <= DAY_MINUTES:
            raise CalendarError("The day must open before it closes, between 00:00 and 24:00.")
        if self.end_minute - self.start_minute < MIN_WINDOW_MINUTES:
            raise CalendarError(f"The working day must last at least {MIN_WINDOW_MINUTES} minutes.")
        _zone(self.time_zone)
        holidays = frozenset(self.holidays)
        if len(holidays) > MAX_HOLIDAYS:
            raise CalendarError(f"A calendar holds at most {MAX_HOLIDAYS} holidays.")
        for day in holidays:
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                raise CalendarError("Holidays are dates.")
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise CalendarError(f"Holiday {day} is outside the years {FIRST_YEAR}-{LAST_YEAR}.")
        object.__setattr__(self, "holidays", holidays)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def describe(self) -> str:
        """'mon-fri 08:00-17:00 Europe/Berlin, 2 holidays'."""
        holidays = len(self.holidays)
        tail = f", {holidays} holiday{'s' if holidays != 1 else ''}" if holidays else ""
        return (
            f"{format_days(self.weekdays)} {format_minute(self.start_minute)}-"
            f"{format_minute(self.end_minute)} {self.time_zone}{tail}"
        )

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The day's opening and closing instants, in UTC (whether or not it is a working day)."""
        return _instant(day, self.start_minute, self.zone), _instant(
            day, self.end_minute, self.zone
        )


def _instant(day: dt.date, minute: int, zone: ZoneInfo) -> dt.datetime:
    if minute == DAY_MINUTES:
        day, minute = day + dt.timedelta(days=1), 0
    local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=zone)
    # A wall time skipped by a spring-forward change is read with the offset before it (fold=0).
    return local.astimezone(UTC)


def _moment(value: dt.datetime, what: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise CalendarError(f"The {what} must be a date and time.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(f"The {what} must carry its time zone (a UTC moment).")
    moment = value.astimezone(UTC)
    # One year of margin inside Python's range for the local dates around it.
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise CalendarError(f"The {what} must be in the years {FIRST_YEAR} to {LAST_YEAR}.")
    return moment


def response_time(hours: float | int | Decimal) -> dt.timedelta:
    """A number of business hours as a timedelta (0 to MAX_HOURS), or CalendarError."""
    if isinstance(hours, bool) or not isinstance(hours, int | float | Decimal):
        raise CalendarError("The number of hours must be a number.")
    if isinstance(hours, float | Decimal) and not math.isfinite(hours):
        raise CalendarError("The number of hours must be a finite number.")
    if not 0 <= hours <= MAX_HOURS:
        raise CalendarError(f"The number of hours must be between 0 and {MAX_HOURS:,}.")
    micro = int((Decimal(str(hours)) * 3_600_000_000).to_integral_value())
    return dt.timedelta(microseconds=micro)


def deadline(start_utc: dt.datetime, hours: float | int | Decimal, cal: Calendar) -> dt.datetime:
    """The moment (UTC) when `hours` of working time after `start_utc` have passed.

    A start outside working time waits for the next opening; 0 hours is the start itself.
    """
    cursor = _moment(start_utc, "start")
    remaining = response_time(hours)
    if not remaining:
        return cursor
    zone = cal.zone
    day = cursor.astimezone(zone).date()
    while True:
        if day.year > LAST_YEAR:
            raise CalendarError(f"The deadline would fall after the year {LAST_YEAR}.")
        if cal.is_working_day(day):
            opens, closes = (
                _instant(day, cal.start_minute, zone),
                _instant(day, cal.end_minute, zone),
            )
            begin = max(opens, cursor)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)


def working_time_between(a: dt.datetime, b: dt.datetime, cal: Calendar) -> dt.timedelta:
    """The working time from `a` to `b` (negative when b is before a)."""
    a, b = _moment(a, "first moment"), _moment(b, "second moment")
    if b < a:
        return -working_time_between(b, a, cal)
    zone = cal.zone
    total = dt.timedelta(0)
    day, last = a.astimezone(zone).date(), b.astimezone(zone).date()
    while day <= last:
        if cal.is_working_day(day):
            opens, closes = (
                _instant(day, cal.start_minute, zone),
                _instant(day, cal.end_minute, zone),
            )
            begin, end = max(opens, a), min(closes, b)
            if begin < end:
                total += end - begin
        day += dt.timedelta(days=1)
    return total


def working_hours_between(a: dt.datetime, b: dt.datetime, cal: Calendar) -> float:
    """The working hours from `a` to `b` (negative when b is before a)."""
    return working_time_between(a, b, cal) / dt.timedelta(hours=1)


# --- reading and writing the parts as people type them -------------------------------------------


def parse_days(text: str) -> frozenset[int]:
    """'mon-fri', 'mon,wed,fri', 'mon-fri,sun', 'sun-tue' (wraps) -> weekday numbers."""
    days: set[int] = set()
    parts = [p.strip().lower() for p in (text or "").split(",")]
    if not any(parts):
        raise CalendarError("Name the working days, e.g. mon-fri or mon,tue,thu.")
    for part in parts:
        ends = [e.strip()[:3] for e in part.split("-")]
        if len(ends) > 2 or any(e not in WEEKDAY_NAMES for e in ends):
            raise CalendarError(
                f"{part!r} is not a day or a range of days: write e.g. mon-fri or mon,wed,fri "
                f"({', '.join(WEEKDAY_NAMES)})."
            )
        first, last = WEEKDAY_NAMES.index(ends[0]), WEEKDAY_NAMES.index(ends[-1])
        day = first
        days.add(day)
        while day != last:
            day = (day + 1) % 7
            days.add(day)
    return frozenset(days)


def format_days(days: Iterable[int]) -> str:
    """{0,1,2,3,4} -> 'mon-fri'; {0,2,4} -> 'mon,wed,fri'."""
    ordered = sorted(set(days))
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        WEEKDAY_NAMES[r[0]] if len(r) == 1 else f"{WEEKDAY_NAMES[r[0]]}-{WEEKDAY_NAMES[r[-1]]}"
        for r in runs
    )


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_minute(text: str) -> int:
    """'08:30' -> 510; '24:00' -> 1440."""
    match = _CLOCK.match((text or "").strip())
    if not match:
        raise CalendarError(f"{text!r} is not a time of day: write HH:MM, e.g. 08:00.")
    hour, minute = int(match.group(1)), int(match.group(2))
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise CalendarError(f"{text!r} is not a time of day: 00:00 to 24:00.")
    return hour * 60 + minute


def parse_window(text: str) -> tuple[int, int]:
    """'08:00-17:00' -> (480, 1020)."""
    parts = (text or "").split("-")
    if len(parts) != 2:
        raise CalendarError(f"{text!r} is not a span of hours: write e.g. 08:00-17:00.")
    start, end = parse_minute(parts[0]), parse_minute(parts[1])
    if not start < end:
        raise CalendarError(f"{text!r}: the day must open before it closes.")
    return start, end


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
