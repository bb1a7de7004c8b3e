"""Text cells checked against what the database can hold: length and control characters.

Run on the read table (all text) before anything is resolved against the database, with the
lengths tower.imports derives from the models, so SQLite and PostgreSQL see the same thing:
SQLite would store a 300-character ship-to or a 50 MB cell silently and PostgreSQL fail with a
traceback on a too-long value or a NUL byte. Every bad cell is a row error (row, column, value,
reason); the value is shown shortened, with control characters spelled out.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType

import polars as pl

from tower.ingest.errors import combine_errors, empty_errors, row_errors
from tower.ingest.limits import CONTROL_CHARACTERS, TEXT_CELL_CHARS
from tower.ingest.mapping import Mapping

SHOWN_CHARS = 60  # of a bad value in the error report


def text_errors(
    table: pl.DataFrame, mapping: Mapping, max_lengths: MappingType[str, int | None]
) -> pl.DataFrame:
    """Errors of the mapped cells too long for their field or holding control characters.

    `max_lengths`: field -> the longest value its column holds (None: no length of its own,
    TEXT_CELL_CHARS applies); fields it does not name (numbers, dates) are checked for control
    characters only.
    """
    parts = []
    for field, header in mapping.columns.items():
        if header not in table.columns:
            continue  # the mapping check reports it
        cell = pl.col(header)
        # Control characters are refused everywhere: in a number or a date they are as wrong.
        parts.append(
            row_errors(
                table,
                cell.str.contains(CONTROL_CHARACTERS),
                header,
                _shown(cell),
                "holds a control character (such as NUL): remove it",
            )
        )
        if field in max_lengths:
            limit = max_lengths[field] or TEXT_CELL_CHARS
            parts.append(
                row_errors(
                    table,
                    cell.str.len_chars() > limit,
                    header,
                    _shown(cell),
                    pl.format(
                        "too long: {} characters, at most {} fit",
                        cell.str.len_chars(),
                        pl.lit(limit),
                    ),
                )
            )
    if not parts:
        return empty_errors()
    # A column mapped to two fields (SCMS) reports each cell once: combine drops the repeats.
    return combine_errors(parts)


def _shown(cell: pl.Expr) -> pl.Expr:
    """The value as the report shows it: control characters as \\xNN, cut after SHOWN_CHARS."""
    spelled = cell.str.replace_all("\x00", r"\x00", literal=True).str.replace_all(
        CONTROL_CHARACTERS, "?"
    )
    return (
        pl.when(spelled.str.len_chars() > SHOWN_CHARS)
        .then(spelled.str.slice(0, SHOWN_CHARS) + pl.lit("…"))
        .otherwise(spelled)
    )
