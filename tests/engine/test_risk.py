"""The risk matrix lookup, the colour of kpis.md 10 and the review cadence, by hand."""

import datetime as dt

import pytest

from tower.engine import risk as rules
from tower.engine.risk import DEFAULT_MATRIX, GREY, NONE, RED, YELLOW, Matrix, RatingError

T0 = dt.datetime(2026, 6, 1, 9, 0)
T1 = dt.datetime(2026, 6, 2, 9, 0)


@pytest.mark.parametrize(
    ("p", "i", "level"),
    [
        (1, 1, "low"),
        (1, 4, "medium"),
        (2, 3, "medium"),
        (2, 5, "high"),
        (3, 2, "medium"),
        (3, 4, "high"),
        (4, 3, "high"),
        (4, 5, "very_high"),
        (5, 1, "medium"),
        (5, 5, "very_high"),
    ],
)
def test_the_default_grid_is_looked_up_cell_by_cell(p, i, level):
    assert DEFAULT_MATRIX.level(p, i) == level


def test_the_default_grid_counts_by_level():
    cells = [DEFAULT_MATRIX.level(p, i) for p in range(1, 6) for i in range(1, 6)]
    assert {lvl: cells.count(lvl) for lvl in rules.LEVELS} == {
        "low": 7,  # rows P1..P5: 3 + 2 + 1 + 1 + 0
        "medium": 8,  # 2 + 2 + 2 + 1 + 1
        "high": 7,  # 0 + 1 + 2 + 2 + 2
        "very_high": 3,  # 0 + 0 + 0 + 1 + 2
    }


def test_a_non_default_grid_is_a_lookup_not_a_formula():
    # 3 probabilities x 4 impacts, deliberately not monotone in P x I: (3, 1) is high, (2, 2) low.
    grid = (
        ("low", "low", "medium", "high"),
        ("low", "low", "medium", "very_high"),
        ("high", "medium", "medium", "very_high"),
    )
    matrix = Matrix(grid=grid, review_days={"low": 365, "medium": 60, "high": 14, "very_high": 7})
    assert matrix.level(3, 1) == "high"
    assert matrix.level(2, 2) == "low"
    assert matrix.level(2, 4) == "very_high"
    assert matrix.review_days_for("high") == 14
    with pytest.raises(RatingError, match="Probability must be from 1 to 3; got 4"):
        matrix.level(4, 1)
    with pytest.raises(RatingError, match="Impact must be from 1 to 4; got 5"):
        matrix.level(1, 5)


@pytest.mark.parametrize(
    ("p", "i", "message"),
    [
        (0, 3, "Probability must be from 1 to 5; got 0"),
        (6, 3, "Probability must be from 1 to 5; got 6"),
        (3, 0, "Impact must be from 1 to 5; got 0"),
        (3, 6, "Impact must be from 1 to 5; got 6"),
        ("high", 3, "Probability must be a whole number from 1 to 5; got 'high'"),
        (3, "", "Impact must be a whole number from 1 to 5; got ''"),
        (2.5, 3, "Probability must be a whole number from 1 to 5; got 2.5"),
        (True, 3, "Probability must be a whole number from 1 to 5; got True"),
        (None, 3, "Probability must be a whole number from 1 to 5; got None"),
    ],
)
def test_invalid_ratings_are_clear_errors(p, i, message):
    with pytest.raises(RatingError) as caught:
        DEFAULT_MATRIX.level(p, i)
    assert str(caught.value).startswith(message)


def test_text_holding_a_whole_number_is_read():
    assert DEFAULT_MATRIX.level(" 4 ", "5") == "very_high"


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ((), "at least one row"),
        ((("low", "low"), ("low",)), "same number"),
        ((("low",),), "2 to 10"),
        ((("low", "extreme"), ("low", "low")), "Unknown level"),
    ],
)
def test_a_bad_grid_is_refused(grid, message):
    with pytest.raises(RatingError, match=message):
        Matrix(grid=grid)


def test_a_grid_level_without_a_cadence_is_refused():
    with pytest.raises(RatingError, match="review cadence of level high"):
        Matrix(grid=(("low", "high"), ("low", "high")), review_days={"low": 10})


def completed(actions, open_actions, last_closed, rerated):
    return rules.plan_completed(
        actions=actions, open_actions=open_actions, last_closed=last_closed, rerated=rerated
    )


def test_plan_completion_needs_every_action_closed_and_a_later_rerating():
    assert completed(2, 0, T0, T1)
    assert completed(1, 0, T0, T0)  # re-rated at the moment of the closure
    assert not completed(2, 0, T0, None)  # all closed, never re-rated: not completed
    assert not completed(2, 1, T0, T1)  # an action still open
    assert not completed(0, 0, None, T1)  # no action: no plan
    assert not completed(2, 0, T1, T0)  # re-rated before the last action closed


@pytest.mark.parametrize(
    ("level", "done", "colour"),
    [
        ("very_high", False, RED),
        ("high", False, RED),
        ("medium", False, YELLOW),
        ("low", False, NONE),
        ("very_high", True, GREY),
        ("high", True, GREY),
        ("medium", True, GREY),
        ("low", True, GREY),
    ],
)
def test_colour_exactly_as_kpis_10(level, done, colour):
    assert rules.colour(level, completed=done) == colour


def test_a_high_risk_with_its_plan_done_but_not_rerated_stays_red():
    done = completed(3, 0, T0, None)
    assert rules.colour("high", completed=done) == RED


def test_review_cadence_per_level_and_overdue():
    days = rules.DEFAULT_REVIEW_DAYS
    last = dt.date(2026, 1, 10)
    assert rules.next_review(last, "high", days) == dt.date(2026, 2, 9)  # 30 days
    assert rules.next_review(last, "very_high", days) == dt.date(2026, 2, 9)
    assert rules.next_review(last, "medium", days) == dt.date(2026, 4, 10)  # 90 days
    assert rules.next_review(last, "low", days) == dt.date(2026, 7, 9)  # 180 days
    assert not rules.review_overdue(dt.date(2026, 2, 9), dt.date(2026, 2, 9))
    assert rules.review_overdue(dt.date(2026, 2, 9), dt.date(2026, 2, 10))


def test_heat_map_counts_rows_from_the_highest_probability():
    counts = rules.heat_map([(5, 1), (5, 1), (1, 5), (3, 3)], 5, 5)
    assert counts[0] == [2, 0, 0, 0, 0]
    assert counts[2] == [0, 0, 1, 0, 0]
    assert counts[4] == [0, 0, 0, 0, 1]
