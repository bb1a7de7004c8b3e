"""The recurrence rule, on hand-computed dates."""

import datetime as dt

import pytest

from tower.meetings.recurrence import describe, missed, next_after, occurrence

D = dt.date


@pytest.mark.parametrize(
    ("first", "every", "unit", "index", "expected"),
    [
        (D(2026, 1, 5), 1, "weeks", 3, D(2026, 1, 26)),
        (D(2026, 1, 5), 2, "weeks", 2, D(2026, 2, 2)),
        (D(2026, 1, 31), 1, "months", 1, D(2026, 2, 28)),  # the last day of a short month
        (D(2026, 1, 31), 1, "months", 2, D(2026, 3, 31)),  # and back to the 31st
        (D(2024, 1, 31), 1, "months", 1, D(2024, 2, 29)),  # a leap year
        (D(2026, 11, 15), 3, "months", 1, D(2027, 2, 15)),  # a quarter across the year
        (D(2026, 1, 15), 3, "months", 4, D(2027, 1, 15)),
    ],
)
def test_occurrences(first, every, unit, index, expected):
    assert occurrence(first, every, unit, index) == expected


@pytest.mark.parametrize(
    ("first", "every", "unit", "day", "expected"),
    [
        (D(2026, 1, 5), 1, "weeks", D(2026, 1, 5), D(2026, 1, 12)),  # held on the day
        (D(2026, 1, 5), 1, "weeks", D(2026, 1, 7), D(2026, 1, 12)),  # held two days late
        (D(2026, 1, 5), 1, "weeks", D(2026, 1, 12), D(2026, 1, 19)),
        (D(2026, 1, 5), 2, "weeks", D(2026, 1, 20), D(2026, 2, 2)),
        (D(2026, 1, 5), 1, "weeks", D(2025, 12, 1), D(2026, 1, 5)),  # before the first
        (D(2026, 1, 31), 1, "months", D(2026, 2, 28), D(2026, 3, 31)),
        (D(2026, 1, 31), 1, "months", D(2026, 2, 27), D(2026, 2, 28)),
        (D(2026, 1, 15), 3, "months", D(2026, 1, 15), D(2026, 4, 15)),
        (D(2026, 1, 15), 3, "months", D(2026, 5, 2), D(2026, 7, 15)),  # a QBR held very late
    ],
)
def test_next_after(first, every, unit, day, expected):
    assert next_after(first, every, unit, day) == expected


def test_missed_counts_the_occurrences_passed_unheld():
    first = D(2026, 11, 2)  # Mondays
    assert missed(first, 1, "weeks", D(2026, 11, 2), D(2026, 11, 2)) == 0  # due today
    assert missed(first, 1, "weeks", D(2026, 11, 2), D(2026, 11, 3)) == 1
    assert missed(first, 1, "weeks", D(2026, 11, 2), D(2026, 11, 17)) == 3  # 2, 9 and 16 Nov


def test_rules_in_words_and_bad_rules():
    assert describe(1, "weeks") == "every week"
    assert describe(3, "months") == "every 3 months"
    with pytest.raises(ValueError):
        occurrence(D(2026, 1, 1), 0, "weeks", 1)
    with pytest.raises(ValueError):
        occurrence(D(2026, 1, 1), 1, "days", 1)
