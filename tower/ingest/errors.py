"""How an import reports problems.

A problem with the file as a whole (it cannot be read, a mapped column is missing, the mapping
itself is wrong) raises ImportFileError. Problems with single rows are collected, never raised,
so that one pass reports every bad row (design.md: a file is validated whole first).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from tower.ingest.mapping import Mapping

# The reader adds this column: the row number a person sees in a spreadsheet (header = row 1).
ROW = "__row__"

# The readers keep each field's source text next to its typed column, under this prefix, so an
# error report shows the value as the file had it.
RAW = "raw:"

ROW_ERROR_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}


class ImportFileError(Exception):
    """The file cannot be imported at all; the message tells a planner what to fix."""


def empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=ROW_ERROR_SCHEMA)


def row_errors(
    frame: pl.DataFrame,
    condition: pl.Expr,
    column: str,
    value: pl.Expr,
    reason: str | pl.Expr,
) -> pl.DataFrame:
    """One error row for each row of `frame` where `condition` holds (null counts as false)."""
    reason_expr = reason if isinstance(reason, pl.Expr) else pl.lit(reason)
    # Lazy so that only the columns the condition and the report need are filtered.
    return (
        frame.lazy()
        .filter(condition.fill_null(False))
        .select(
            pl.col(ROW).cast(pl.Int64).alias("row"),
            pl.lit(column, pl.String).alias("column"),
            value.cast(pl.String).alias("value"),
            reason_expr.cast(pl.String).alias("reason"),
        )
        .collect()
    )


def combine_errors(parts: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """All errors in reading order. Exact duplicates are dropped: a source column mapped to two
    fields (SCMS "Line Item Quantity" is ordered and delivered) must not report a value twice."""
    frames = [p.select(list(ROW_ERROR_SCHEMA)) for p in parts if p.height]
    if not frames:
        return empty_errors()
    return pl.concat(frames).unique().sort("row", "column", "reason")


def raw_text(field: str) -> pl.Expr:
    """The source text of `field` (the RAW column the readers keep)."""
    return pl.col(RAW + field)


def client_errors(
    frame: pl.DataFrame, mapping: Mapping, default_client: str | None, labels: dict[str, str]
) -> list[pl.DataFrame]:
    """The rows that name another client than the one the file is imported for."""
    if "client" not in mapping.columns or not default_client:
        return []
    differs = raw_text("client").is_not_null() & (raw_text("client") != default_client)
    reason = f"client differs from {default_client}, the client this file is imported for"
    return [row_errors(frame, differs, labels["client"], raw_text("client"), reason)]
