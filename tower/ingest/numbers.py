"""Number columns as exports write them: 1234, 1234.5, -3, 1,234,567.89, $ 1,200.

A comma is only ever a thousands separator in a valid grouping (1,234 but not 1,23 or 12,34):
"1,5" could be one and a half or fifteen, and we never guess. Scientific notation (1.2E+05),
which spreadsheets write for very large or small numbers, is accepted too.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tower.ingest.errors import ROW, empty_errors, row_errors
from tower.ingest.limits import MAX_NUMBER

NOT_A_NUMBER = (
    "not a number: write digits with an optional decimal point, e.g. 1234.5 or 1,234.5 "
    "(a comma only as a thousands separator)"
)

OUT_OF_RANGE = (
    f"out of range: a number must be finite and between -{MAX_NUMBER:,.0f} and {MAX_NUMBER:,.0f}"
)

_DIGITS = r"(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
# A sign before or after the currency symbol ("-$3", "$-3"), never both.
_NUMBER = rf"^(?:[+-]?[$€£]?|[$€£][+-]?)\s*{_DIGITS}$"


def parse_number_columns(
    frame: pl.DataFrame, columns: Sequence[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`columns` converted to Float64, and a ROW_ERROR_SCHEMA frame for values that are not numbers.

    Empty cells (null) stay null without an error; the sign is not checked here. A number beyond
    MAX_NUMBER (1e308, or 1e309, which reads as infinity) is an error and becomes null, so that
    nothing downstream ever meets an infinite or absurd value.
    """
    columns = [c for c in dict.fromkeys(columns) if frame.schema[c] == pl.String]
    if not columns:
        return frame, empty_errors()
    parsed = frame.with_columns(_number(frame.get_column(c)) for c in columns)
    # Not finite (inf, nan) or too large: `abs <= MAX` is false for both, and null stays null.
    in_range = {c: pl.col(c).abs() <= MAX_NUMBER for c in columns}
    out = parsed.with_columns(pl.when(in_range[c]).then(pl.col(c)).alias(c) for c in columns)
    errors = []
    for c in columns:
        checked = frame.select(ROW, c).with_columns(parsed.get_column(c).alias("number"))
        errors.append(
            row_errors(
                checked,
                pl.col(c).is_not_null() & pl.col("number").is_null(),
                c,
                pl.col(c),
                NOT_A_NUMBER,
            )
        )
        too_big = pl.col("number").is_not_null() & ~(pl.col("number").abs() <= MAX_NUMBER)
        errors.append(row_errors(checked, too_big, c, pl.col(c), OUT_OF_RANGE))
    return out, pl.concat(errors).sort("row", "column")


def _number(text: pl.Series) -> pl.Series:
    well_formed = text.str.contains(_NUMBER)
    # Regex replacement costs ten times a plain cast: do only the removals this column needs.
    cleaned = text
    if text.str.contains(",", literal=True).any():
        cleaned = cleaned.str.replace_all(",", "", literal=True)
    if text.str.contains_any(["$", "€", "£"]).any():
        cleaned = cleaned.str.replace_all(r"[$€£\s]", "")
    number = cleaned.cast(pl.Float64, strict=False)
    return pl.select(pl.when(well_formed).then(number)).to_series().alias(text.name)
