"""Business-hours arithmetic (kpis.md 9) on hand-computed cases, and its properties.

2026-12-04 is a Friday. Europe/Berlin is UTC+1 in winter and UTC+2 in summer; in 2026 summer
time starts on Sunday 29 March (02:00 -> 03:00) and ends on Sunday 25 October (03:00 -> 02:00).
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tower.engine.business_hours import (
    Calendar,
    CalendarError,
    deadline,
    format_days,
    parse_days,
    parse_window,
    working_hours_between,
    working_time_between,
)

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = Calendar(
    weekdays=frozenset(range(5)), start_minute=8 * 60, end_minute=17 * 60, time_zone="Europe/Berlin"
)
ROUND_THE_CLOCK = Calendar(
    weekdays=frozenset(range(7)), start_minute=0, end_minute=24 * 60, time_zone="Europe/Berlin"
)


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def local(moment: dt.datetime, zone: ZoneInfo = BERLIN) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


def test_kpis_9_example_friday_16_00_plus_4_hours_is_monday_11_00():
    due = deadline(berlin("2026-12-04 16:00"), 4, OFFICE)
    assert local(due) == "Mon 2026-12-07 11:00"
    assert due == dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


def test_the_clock_stops_overnight():
    assert local(deadline(berlin("2026-12-01 15:00"), 4, OFFICE)) == "Wed 2026-12-02 10:00"


def test_a_deadline_on_the_closing_minute_is_the_closing_minute():
    assert local(deadline(berlin("2026-12-01 08:00"), 9, OFFICE)) == "Tue 2026-12-01 17:00"


def test_a_start_outside_hours_waits_for_the_next_opening():
    assert local(deadline(berlin("2026-12-05 10:00"), 1, OFFICE)) == "Mon 2026-12-07 09:00"
    assert local(deadline(berlin("2026-12-07 06:00"), 1, OFFICE)) == "Mon 2026-12-07 09:00"
    assert local(deadline(berlin("2026-12-07 18:00"), 1, OFFICE)) == "Tue 2026-12-08 09:00"


def test_fractional_hours():
    assert local(deadline(berlin("2026-12-07 16:30"), 1.25, OFFICE)) == "Tue 2026-12-08 08:45"
    assert local(deadline(berlin("2026-12-07 08:00"), Decimal("0.5"), OFFICE)) == (
        "Mon 2026-12-07 08:30"
    )


def test_holidays_are_skipped():
    christmas = Calendar(
        weekdays=OFFICE.weekdays,
        start_minute=OFFICE.start_minute,
        end_minute=OFFICE.end_minute,
        time_zone="Europe/Berlin",
        holidays=frozenset({dt.date(2026, 12, 24), dt.date(2026, 12, 25)}),
    )
    assert local(deadline(berlin("2026-12-23 16:00"), 4, christmas)) == "Mon 2026-12-28 11:00"
    assert (
        working_hours_between(berlin("2026-12-23 16:00"), berlin("2026-12-28 11:00"), christmas)
        == 4
    )


def test_the_site_time_zone_decides_the_window():
    new_york = ZoneInfo("America/New_York")
    cal = Calendar(
        weekdays=frozenset(range(5)), start_minute=9 * 60, end_minute=17 * 60,
        time_zone="America/New_York",
    )  # fmt: skip
    start = dt.datetime(2026, 12, 4, 13, 0, tzinfo=dt.UTC)  # 08:00 in New York
    due = deadline(start, 2, cal)
    assert local(due, new_york) == "Fri 2026-12-04 11:00"
    assert due == dt.datetime(2026, 12, 4, 16, 0, tzinfo=dt.UTC)
    # The same start 4 hours later (12:00 New York) with 6 hours runs into Monday.
    assert (
        local(deadline(start + dt.timedelta(hours=4), 6, cal), new_york) == "Mon 2026-12-07 10:00"
    )


def test_across_the_spring_forward_change():
    # Friday 16:00 CET + 4 h = Monday 11:00 CEST: the wall clock keeps its hours.
    due = deadline(berlin("2026-03-27 16:00"), 4, OFFICE)
    assert local(due) == "Mon 2026-03-30 11:00"
    assert due == dt.datetime(2026, 3, 30, 9, 0, tzinfo=dt.UTC)
    # Round the clock, Sunday 29 March has 23 hours.
    assert (
        working_hours_between(
            berlin("2026-03-29 00:00"), berlin("2026-03-30 00:00"), ROUND_THE_CLOCK
        )
        == 23
    )
    assert (
        local(deadline(berlin("2026-03-28 12:00"), 48, ROUND_THE_CLOCK)) == "Mon 2026-03-30 13:00"
    )


def test_across_the_fall_back_change():
    due = deadline(berlin("2026-10-23 16:00"), 4, OFFICE)
    assert local(due) == "Mon 2026-10-26 11:00"
    assert due == dt.datetime(2026, 10, 26, 10, 0, tzinfo=dt.UTC)
    assert (
        working_hours_between(
            berlin("2026-10-25 00:00"), berlin("2026-10-26 00:00"), ROUND_THE_CLOCK
        )
        == 25
    )
    assert (
        local(deadline(berlin("2026-10-24 12:00"), 48, ROUND_THE_CLOCK)) == "Mon 2026-10-26 11:00"
    )


def test_working_hours_between_counts_only_open_time_and_is_signed():
    a, b = berlin("2026-12-04 16:00"), berlin("2026-12-07 11:00")
    assert working_hours_between(a, b, OFFICE) == 4
    assert working_hours_between(b, a, OFFICE) == -4
    assert (
        working_hours_between(berlin("2026-12-05 09:00"), berlin("2026-12-06 20:00"), OFFICE) == 0
    )


def test_zero_hours_is_the_start_itself():
    start = berlin("2026-12-05 10:00")
    assert deadline(start, 0, OFFICE) == start


@pytest.mark.parametrize("hours", [-1, 10_001, float("nan"), float("inf"), True, "4"])
def test_hours_out_of_bounds_are_refused(hours):
    with pytest.raises(CalendarError):
        deadline(berlin("2026-12-04 16:00"), hours, OFFICE)


def test_a_naive_start_is_refused():
    with pytest.raises(CalendarError, match="time zone"):
        deadline(dt.datetime(2026, 12, 4, 16), 4, OFFICE)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
        {"start_minute": 17 * 60, "end_minute": 8 * 60},
        {"start_minute": 8 * 60, "end_minute": 8 * 60 + 5},
        {"end_minute": 24 * 60 + 1},
        {"time_zone": "Mars/Olympus"},
        {"time_zone": "../../etc/passwd"},
        {"holidays": frozenset({dt.date(1200, 1, 1)})},
    ],
)
def test_bad_calendars_are_refused_with_a_sentence(kwargs):
    values = {
        "weekdays": frozenset(range(5)),
        "start_minute": 480,
        "end_minute": 1020,
        "time_zone": "Europe/Berlin",
    }
    with pytest.raises(CalendarError):
        Calendar(**(values | kwargs))


def test_parsing_days_and_windows():
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("Mon, wed ,FRI") == frozenset({0, 2, 4})
    assert parse_days("sat-mon") == frozenset({5, 6, 0})
    assert format_days(parse_days("mon-fri,sun")) == "mon-fri,sun"
    assert parse_window("08:00-17:00") == (480, 1020)
    assert parse_window("00:00-24:00") == (0, 1440)
    for bad in ("", "mon-", "funday", "mon-tue-wed"):
        with pytest.raises(CalendarError):
            parse_days(bad)
    for bad in ("8-17", "17:00-08:00", "08:00-24:30", "08:61-17:00"):
        with pytest.raises(CalendarError):
            parse_window(bad)


def test_the_longest_clock_on_the_thinnest_calendar_stays_bounded():
    # 10,000 hours of 15 minutes on Wednesdays: 40,000 weeks, some 770 years, counted in a blink.
    thin = Calendar(
        weekdays=frozenset({2}), start_minute=600, end_minute=615, time_zone="Pacific/Chatham"
    )
    started = time.perf_counter()
    due = deadline(berlin("2026-12-04 16:00"), 10_000, thin)
    assert time.perf_counter() - started < 5
    assert 2790 <= due.year <= 2800
    with pytest.raises(CalendarError, match="after the year"):
        deadline(berlin("2299-12-04 16:00"), 10_000, thin)


# --- properties -----------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]


@st.composite
def calendars(draw) -> Calendar:
    start = draw(st.integers(0, 23 * 60))
    end = draw(st.integers(start + 15, 24 * 60))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    holidays = draw(
        st.frozensets(st.dates(dt.date(2026, 3, 1), dt.date(2026, 11, 30)), max_size=20)
    )
    return Calendar(weekdays, start, end, draw(st.sampled_from(ZONES)), holidays)


starts = st.datetimes(dt.datetime(2026, 3, 1), dt.datetime(2026, 11, 1)).map(
    lambda d: d.replace(tzinfo=dt.UTC)
)
minutes = st.integers(0, 200 * 60)


def hours(m: int) -> Decimal:
    return Decimal(m) / 60


@PROPERTY_SETTINGS
@given(calendars(), starts, minutes, minutes)
def test_deadlines_are_monotonic_and_additive(cal, start, a, b):
    first = deadline(start, hours(a), cal)
    both = deadline(start, hours(a + b), cal)
    assert first >= start
    assert both >= first
    assert deadline(first, hours(b), cal) == both


@PROPERTY_SETTINGS
@given(calendars(), starts, minutes)
def test_the_working_time_up_to_a_deadline_is_the_response_time(cal, start, m):
    due = deadline(start, hours(m), cal)
    assert working_time_between(start, due, cal) == dt.timedelta(minutes=m)
