"""The customer-lens FMEA of kpis.md 10: ratings, severity, Action Priority and RPN.

Pure: no Django. The Action Priority (AIAG-VDA 2019) is a lookup in the table of kpis.md 10,
kept below as data row for row (severity band, occurrence band, then the priority for each
detection band), not as a formula; every combination the table does not list is L. Over the
1,000 combinations of S, O and D that gives 318 H, 214 M and 468 L (tests/engine/test_fmea.py
checks each combination against a table typed separately from kpis.md).

Severity has three lenses (site, client, patient or regulatory) and S is the highest of them.
RPN = S x O x D is for information only: the backlog ranks by AP, then S, O, D.
"""

from __future__ import annotations

import polars as pl

RATING_MIN, RATING_MAX = 1, 10
RATINGS = range(RATING_MIN, RATING_MAX + 1)

# The severity lenses, in the order the pages show them.
LENSES = (
    ("site", "Site"),
    ("client", "Client"),
    ("patient", "Patient or regulatory"),
)

HIGH, MEDIUM, LOW = "H", "M", "L"
PRIORITIES = (HIGH, MEDIUM, LOW)
PRIORITY_NAMES = {HIGH: "High", MEDIUM: "Medium", LOW: "Low"}
# Higher ranks first in the backlog.
PRIORITY_RANK = {HIGH: 3, MEDIUM: 2, LOW: 1}

# The detection bands of the table's columns, left to right: D 7-10, D 5-6, D 2-4, D 1.
DETECTION_BANDS = ((7, 10), (5, 6), (2, 4), (1, 1))

# kpis.md 10, row for row: (S from, S to), (O from, O to), the AP per detection band above.
AP_ROWS = (
    ((9, 10), (8, 10), "HHHH"),
    ((9, 10), (6, 7), "HHHH"),
    ((9, 10), (4, 5), "HHHM"),
    ((9, 10), (2, 3), "HMLL"),
    ((7, 8), (8, 10), "HHHH"),
    ((7, 8), (6, 7), "HHHM"),
    ((7, 8), (4, 5), "HMMM"),
    ((7, 8), (2, 3), "MMLL"),
    ((4, 6), (8, 10), "HHMM"),
    ((4, 6), (6, 7), "MMML"),
    ((4, 6), (4, 5), "MLLL"),
    ((2, 3), (8, 10), "MMLL"),
)
# Any S with O = 1; S 4-6 with O 1-3; S 2-3 with O 1-7; S = 1.
NOT_LISTED = LOW


class RatingError(ValueError):
    """A rating that is not a whole number from 1 to 10; the message says which and why."""


def rating(value, name: str = "Rating") -> int:
    """`value` as a rating, or RatingError: integers 1 to 10 only (no text, floats, booleans)."""
    if isinstance(value, bool) or not isinstance(value, int):
        shown = "nothing" if value is None else repr(value)
        raise RatingError(
            f"{name} must be a whole number from {RATING_MIN} to {RATING_MAX}; got {shown}."
        )
    if not RATING_MIN <= value <= RATING_MAX:
        raise RatingError(f"{name} must be from {RATING_MIN} to {RATING_MAX}; got {value}.")
    return value


def _build() -> dict[tuple[int, int, int], str]:
    table = {}
    for s in RATINGS:
        for o in RATINGS:
            row = next(
                (
                    priorities
                    for (s_lo, s_hi), (o_lo, o_hi), priorities in AP_ROWS
                    if s_lo <= s <= s_hi and o_lo <= o <= o_hi
                ),
                None,
            )
            for d in RATINGS:
                if row is None:
                    table[s, o, d] = NOT_LISTED
                    continue
                band = next(
                    i for i, (d_lo, d_hi) in enumerate(DETECTION_BANDS) if d_lo <= d <= d_hi
                )
                table[s, o, d] = row[band]
    return table


_AP = _build()


def action_priority(s, o, d) -> str:
    """H, M or L for severity s, occurrence o and detection d (kpis.md 10)."""
    return _AP[rating(s, "Severity"), rating(o, "Occurrence"), rating(d, "Detection")]


def severity(site, client, patient) -> int:
    """S: the highest of the three lenses, each a valid rating."""
    return max(
        rating(site, "Severity (site)"),
        rating(client, "Severity (client)"),
        rating(patient, "Severity (patient or regulatory)"),
    )


def rpn(s, o, d) -> int:
    """Risk priority number S x O x D: shown for information, never used to rank."""
    return rating(s, "Severity") * rating(o, "Occurrence") * rating(d, "Detection")


def backlog_key(ap: str, s: int, o: int, d: int) -> tuple[int, int, int, int]:
    """Sort key of the harmonisation backlog: AP, then S, O, D, all descending."""
    return (-PRIORITY_RANK[ap], -s, -o, -d)


def ap_table() -> pl.DataFrame:
    """Every combination the tower uses: 1,000 rows s, o, d, ap in ascending order."""
    keys = sorted(_AP)
    return pl.DataFrame(
        {
            "s": [k[0] for k in keys],
            "o": [k[1] for k in keys],
            "d": [k[2] for k in keys],
            "ap": [_AP[k] for k in keys],
        },
        schema={"s": pl.Int64, "o": pl.Int64, "d": pl.Int64, "ap": pl.String},
    )
