"""CSV cells a spreadsheet would run as formulas, neutralised: the one helper every CSV export uses.

A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return, which Excel skips before
reading one of those) is a formula when the file is opened in a spreadsheet: an imported order
number or a root-cause comment such as `=HYPERLINK("http://x", "click")` would run on the
reader's machine (CSV injection, OWASP). Such text cells get a leading apostrophe, which
spreadsheets show as plain text. Only text columns are touched: a negative number in a number
column stays a number, and so does text that is just a number ("-12.5"), which no spreadsheet
runs as a formula. XLSX exports need none of this: their text cells are typed as text.
"""

from __future__ import annotations

import re

import polars as pl

_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_FORMULA_START_RE = re.compile(_FORMULA_START)
_PLAIN_NUMBER_RE = re.compile(_PLAIN_NUMBER)


def neutralise(value: str) -> str:
    """One cell: `'=1+1` for `=1+1`; anything else unchanged."""
    if _FORMULA_START_RE.match(value) and not _PLAIN_NUMBER_RE.match(value):
        return "'" + value
    return value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of `frame` with its formula-like cells neutralised."""
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not texts:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START) & ~pl.col(c).str.contains(_PLAIN_NUMBER))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in texts
    )
