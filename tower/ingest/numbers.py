"""Number columns as exports write them: 1234, 1234.5, -3, 1,234,567.89, $ 1,200.

A comma is only ever a thousands separator in a valid grouping (1,234 but not 1,23 or 12,34):
"1,5" could be one and a half or fifteen, and we never guess. Scientific notation (1.2E+05),
which spreadsheets write for very large or small numbers, is accepted too.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tower.ingest.errors import ROW, empty_errors, row_errors

NOT_A_NUMBER = (
    "not a number: write digits with an optional decimal point, e.g. 1234.5 or 1,234.5 "
    "(a comma only as a thousands separator)"
)

_DIGITS = r"(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
# A sign before or after the currency symbol ("-$3", "$-3"), never both.
_NUMBER = rf"^(?:[+-]?[$€£]?|[$€£][+-]?)\s*{_DIGITS}$"


def parse_number_columns(
    frame: pl.DataFrame, columns: Sequence[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`columns` converted to Float64, and a ROW_ERROR_SCHEMA frame for values that are not numbers.

    Empty cells (null) stay null without an error; the sign is not checked here.
    """
    columns = [c for c in dict.fromkeys(columns) if frame.schema[c] == pl.String]
    if not columns:
        return frame, empty_errors()
    out = frame.with_columns(_number(frame.get_column(c)) for c in columns)
    errors = [
        row_errors(
            frame.select(ROW, c).with_columns(out.get_column(c).alias("number")),
            pl.col(c).is_not_null() & pl.col("number").is_null(),
            c,
            pl.col(c),
            NOT_A_NUMBER,
        )
        for c in columns
    ]
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
