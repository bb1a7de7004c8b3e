"""Project risks (kpis.md 10): the agreement's risk matrix, the colour the client sees and the
review cadence. Pure Python, no Django: the risks app stores what these functions return.

The matrix is data, not a formula: a grid of level codes, one row per probability (1 = the
least likely) and one column per impact (1 = the mildest). A risk's level is the cell its
probability and impact point at. The default is 5 x 5; an agreement may use another grid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# Levels from the mildest up; "high or above" needs a risk plan (kpis.md 10).
LEVELS = ("low", "medium", "high", "very_high")
LEVEL_NAMES = {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very high"}
LEVEL_RANK = {code: rank for rank, code in enumerate(LEVELS)}

# The colour as the client sees it (kpis.md 10); "" is no colour (low risks, monitored).
RED, YELLOW, GREY, NONE = "red", "yellow", "grey", ""
COLOUR_NAMES = {RED: "Red", YELLOW: "Yellow", GREY: "Grey", NONE: "No colour"}
COLOUR_MEANINGS = {
    RED: "a risk plan is needed (level high or above) and not completed",
    YELLOW: "consider a risk plan (level medium), not completed",
    GREY: "the risk plan is completed: every action closed and the risk re-rated",
    NONE: "low risk, monitored",
}

# Days between reviews per level (kpis.md 10 defaults); a level above high is reviewed as high.
DEFAULT_REVIEW_DAYS = {"low": 180, "medium": 90, "high": 30, "very_high": 30}

# The default 5 x 5 grid: DEFAULT_GRID[probability - 1][impact - 1].
_L, _M, _H, _V = "low", "medium", "high", "very_high"
DEFAULT_GRID = (
    (_L, _L, _L, _M, _M),  # probability 1: rare
    (_L, _L, _M, _M, _H),  # 2: unlikely
    (_L, _M, _M, _H, _H),  # 3: possible
    (_L, _M, _H, _H, _V),  # 4: likely
    (_M, _H, _H, _V, _V),  # 5: almost certain
)
DEFAULT_PROBABILITY_LABELS = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
DEFAULT_IMPACT_LABELS = ("Negligible", "Minor", "Moderate", "Major", "Severe")


class RatingError(ValueError):
    """A probability, an impact or a matrix that cannot be used; the message says why."""


@dataclass(frozen=True)
class Matrix:
    """One version of an agreement's risk matrix."""

    grid: tuple[tuple[str, ...], ...]
    probability_labels: tuple[str, ...] = ()
    impact_labels: tuple[str, ...] = ()
    review_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_REVIEW_DAYS))

    def __post_init__(self):
        check_grid(self.grid, self.probability_labels, self.impact_labels, self.review_days)

    @property
    def probabilities(self) -> int:
        return len(self.grid)

    @property
    def impacts(self) -> int:
        return len(self.grid[0])

    def level(self, probability, impact) -> str:
        """The level in the cell (probability, impact): a lookup, never a product."""
        p = rating(probability, self.probabilities, "Probability")
        i = rating(impact, self.impacts, "Impact")
        return self.grid[p - 1][i - 1]

    def review_days_for(self, level: str) -> int:
        return int(self.review_days[level])


def check_grid(
    grid: Sequence[Sequence[str]],
    probability_labels: Sequence[str] = (),
    impact_labels: Sequence[str] = (),
    review_days: Mapping[str, int] | None = None,
) -> None:
    """Raise RatingError unless `grid` is a rectangular grid of known levels (2 to 10 a side),
    the labels (when given) name each row and column, and every level has a review cadence."""
    if not grid or not all(isinstance(row, (list, tuple)) for row in grid):
        raise RatingError("The matrix needs at least one row of levels.")
    widths = {len(row) for row in grid}
    if len(widths) != 1:
        raise RatingError("Every row of the matrix needs the same number of impact columns.")
    if not 2 <= len(grid) <= 10 or not 2 <= widths.pop() <= 10:
        raise RatingError("A risk matrix has 2 to 10 probabilities and 2 to 10 impacts.")
    unknown = {cell for row in grid for cell in row if cell not in LEVEL_RANK}
    if unknown:
        raise RatingError(
            f"Unknown level(s) in the matrix: {', '.join(sorted(map(str, unknown)))}; "
            f"use {', '.join(LEVELS)}."
        )
    if probability_labels and len(probability_labels) != len(grid):
        raise RatingError("Give one label per probability (row) of the matrix.")
    if impact_labels and len(impact_labels) != len(grid[0]):
        raise RatingError("Give one label per impact (column) of the matrix.")
    if review_days is not None:
        for level in {cell for row in grid for cell in row}:
            days = review_days.get(level)
            if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3660:
                raise RatingError(
                    f"The review cadence of level {level} must be 1 to 3660 days; got {days!r}."
                )


DEFAULT_MATRIX = Matrix(
    grid=DEFAULT_GRID,
    probability_labels=DEFAULT_PROBABILITY_LABELS,
    impact_labels=DEFAULT_IMPACT_LABELS,
)


def rating(value, size: int, what: str = "Rating") -> int:
    """A probability or impact as a whole number from 1 to `size`, or RatingError saying why.

    Text holding a whole number ("3") is read; anything else (0, 6 on a 5-point scale, 2.5,
    "high", True) is refused, never clamped or rounded.
    """
    if isinstance(value, bool):
        raise RatingError(f"{what} must be a whole number from 1 to {size}; got {value!r}.")
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isdigit():
            raise RatingError(f"{what} must be a whole number from 1 to {size}; got {value!r}.")
        value = int(text)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise RatingError(f"{what} must be a whole number from 1 to {size}; got {value!r}.")
    if not 1 <= value <= size:
        raise RatingError(f"{what} must be from 1 to {size}; got {value}.")
    return value


def needs_plan(level: str) -> bool:
    """kpis.md 10: a plan is needed at high or above."""
    return LEVEL_RANK[level] >= LEVEL_RANK["high"]


def plan_completed(
    *,
    actions: int,
    open_actions: int,
    last_closed: dt.datetime | None,
    rerated: dt.datetime | None,
) -> bool:
    """The risk plan is completed when it has at least one action, every action is closed, and
    the risk was re-rated (residual probability and impact) at or after the last closure.

    A plan without actions is no plan; a re-rating made before the last action closed rated a
    plan that was not done yet, so the risk must be re-rated again.
    """
    if actions <= 0 or open_actions > 0 or rerated is None:
        return False
    return last_closed is None or rerated >= last_closed


def colour(level: str, *, completed: bool) -> str:
    """The colour the client sees (kpis.md 10).

    grey: the plan is completed (whatever the level); red: high or above, not completed;
    yellow: medium, not completed; no colour: low, not completed (monitored).
    """
    if level not in LEVEL_RANK:
        raise RatingError(f"Unknown risk level {level!r}.")
    if completed:
        return GREY
    if needs_plan(level):
        return RED
    if level == "medium":
        return YELLOW
    return NONE


def next_review(last_review: dt.date, level: str, review_days: Mapping[str, int]) -> dt.date:
    """The day the next review is due: the last review plus the level's cadence."""
    return last_review + dt.timedelta(days=int(review_days[level]))


def review_overdue(next_review_on: dt.date, today: dt.date) -> bool:
    """Past its next review: the review day has gone by without one."""
    return today > next_review_on


def heat_map(cells: Sequence[tuple[int, int]], probabilities: int, impacts: int) -> list[list[int]]:
    """Counts of risks per cell, rows from the highest probability down (as the grid is drawn),
    columns from impact 1 up."""
    counts = [[0] * impacts for _ in range(probabilities)]
    for p, i in cells:
        counts[probabilities - p][i - 1] += 1
    return counts
