"""Date columns as exports write them: ISO, 2-Jun-06, 6/2/2006 or 2/6/2006, June 2, 2006.

Two rules shape this module:
- Never guess the day/month order. 03/04/2020 is read only when the same file shows which part
  is the day (a value such as 13/04/2020 or 04/13/2020) or the mapping names a date_format.
- Work on distinct values. A date column of a million rows holds a few thousand distinct texts;
  each is parsed once (all forms, vectorised) and the result is mapped back onto the rows.

Two-digit years follow Python's %y: 00-68 -> 20xx, 69-99 -> 19xx. Polars' own %y puts 69 in
2069, so every form is matched by a regex and rebuilt as YYYY-MM-DD before conversion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from tower.ingest.errors import ROW, empty_errors, row_errors

AMBIGUOUS = "ambiguous day/month order: set date_format in the mapping, e.g. %d/%m/%Y or %m/%d/%Y"
NOT_A_DATE = (
    "not a date: use YYYY-MM-DD, 2-Jun-06, 2-Jun-2006, June 2, 2006, 2 June 2006 "
    "or 6/2/2006 (month/day or day/month, one order per file)"
)

_MONTHS = {
    name: number
    for number, full in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
    for name in (full, full[:3])
} | {"sept": 9}

# Group names: d = day, m = month number, b = month name, Y = year (2 or 4 digits).
_ISO = (
    r"^(?P<Y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TEXT_FORMS = (
    r"(?i)^(?P<d>\d{1,2})[- ](?P<b>[a-z]{3,9})\.?[- ](?P<Y>\d{4}|\d{2})$",  # 2-Jun-06
    rf"(?i)^{_WEEKDAY}(?P<b>[a-z]{{3,9}})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<Y>\d{{4}})$",
    rf"(?i)^{_WEEKDAY}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<b>[a-z]{{3,9}})\.?,?\s+(?P<Y>\d{{4}})$",
)
# Day and month both numbers: the order is decided from evidence (see _numeric_dates).
_NUMERIC = r"^(?P<p1>\d{1,2})(?P<s1>[/.-])(?P<p2>\d{1,2})(?P<s2>[/.-])(?P<Y>\d{4}|\d{2})$"

# strftime directives a mapping's date_format may use, as regex pieces.
_DIRECTIVES = {
    "d": r"(?P<d>\d{1,2})",
    "e": r"(?P<d>\d{1,2})",
    "m": r"(?P<m>\d{1,2})",
    "Y": r"(?P<Y>\d{4})",
    "y": r"(?P<Y>\d{2})",
    "b": r"(?P<b>[a-z]{3,9})\.?",
    "B": r"(?P<b>[a-z]{3,9})\.?",
    "h": r"(?P<b>[a-z]{3,9})\.?",
    "a": r"[a-z]+\.?",
    "A": r"[a-z]+\.?",
    "H": r"\d{1,2}",
    "I": r"\d{1,2}",
    "M": r"\d{1,2}",
    "S": r"\d{1,2}",
    "f": r"\d+",
    "p": r"[ap]\.?m\.?",
    "z": r"(?:Z|[+-]\d{2}:?\d{2})",
    "%": "%",
}
_REGEX_META = set(r"\.+*?()|[]{}^$#&-~")


def compile_date_format(date_format: str) -> str:
    """The regex for a strftime-style format; ValueError says what is wrong with it."""
    pieces: list[str] = []
    groups: set[str] = set()
    i = 0
    while i < len(date_format):
        char = date_format[i]
        if char == "%":
            directive = date_format[i + 1 : i + 2]
            if directive == "-":  # %-d (no padding) reads the same as %d
                directive = date_format[i + 2 : i + 3]
                i += 1
            if directive not in _DIRECTIVES:
                raise ValueError(
                    f'"%{directive}" in "{date_format}" is not supported; '
                    "use %d %m %Y %y %b %B %a %A (and %H %M %S for a time, which is ignored)"
                )
            piece = _DIRECTIVES[directive]
            group = piece[4] if piece.startswith("(?P<") else None
            if group is not None:
                if group in groups:
                    raise ValueError(f'"{date_format}" gives the same part of the date twice')
                groups.add(group)
            pieces.append(piece)
            i += 2
        elif char.isspace():
            if not pieces or pieces[-1] != r"\s+":
                pieces.append(r"\s+")
            i += 1
        else:
            pieces.append("\\" + char if char in _REGEX_META else char)
            i += 1
    if not ({"d", "Y"} <= groups and groups & {"m", "b"}):
        raise ValueError(
            f'"{date_format}" must give a day, a month and a year, e.g. %d/%m/%Y or %m/%d/%Y'
        )
    return "(?i)^" + "".join(pieces) + "$"


def format_example(date_format: str) -> str:
    return dt.date(2006, 6, 2).strftime(date_format)


def parse_date_columns(
    frame: pl.DataFrame, columns: Sequence[str], date_format: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`columns` converted to pl.Date, and a ROW_ERROR_SCHEMA frame for values that are not dates.

    Empty cells (null) stay null without an error. Error rows come from the frame's ROW column.
    The day/month order of numeric dates is decided once, from all `columns` together.
    """
    requested = list(dict.fromkeys(columns))
    columns = [c for c in requested if frame.schema[c] == pl.String]
    if not columns:
        return _dates_as_date(frame, requested), empty_errors()
    values = pl.concat([frame.get_column(c).alias("value") for c in columns]).drop_nulls().unique()
    table = _read_values(values, date_format)
    # A hash join per column maps the few distinct texts back onto the rows.
    joined = {
        c: frame.select(ROW, pl.col(c).alias("value")).join(
            table, on="value", how="left", maintain_order="left"
        )
        for c in columns
    }
    out = frame.with_columns(joined[c].get_column("date").alias(c) for c in columns)
    errors = pl.concat(
        row_errors(j, pl.col("reason").is_not_null(), c, pl.col("value"), pl.col("reason"))
        for c, j in joined.items()
    )
    return _dates_as_date(out, requested), errors.sort("row", "column")


def _dates_as_date(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    # A caller may pass columns that are already temporal (e.g. typed by a previous step).
    temporal = [c for c in columns if frame.schema[c] == pl.Datetime]
    return frame.with_columns(pl.col(c).dt.date() for c in temporal) if temporal else frame


def _read_values(values: pl.Series, date_format: str | None) -> pl.DataFrame:
    """One row per distinct text: value, date (null when not read) and reason (null when read)."""
    table = pl.DataFrame({"value": values})
    if date_format is not None:
        pattern = compile_date_format(date_format)
        reason = (
            f"not a date in the mapping's date_format {date_format} "
            f"(e.g. {format_example(date_format)}) or YYYY-MM-DD"
        )
        table = table.with_columns(date=pl.coalesce(_from_pattern(_ISO), _from_pattern(pattern)))
        return table.with_columns(reason=pl.when(pl.col("date").is_null()).then(pl.lit(reason)))

    table = table.with_columns(
        fixed=pl.coalesce(_from_pattern(p) for p in (_ISO, *_TEXT_FORMS)),
        numeric=pl.col("value").str.extract_groups(_NUMERIC),
    )
    return _numeric_dates(table)


def _from_pattern(pattern: str) -> pl.Expr:
    parts = pl.col("value").str.extract_groups(pattern)
    month = (
        parts.struct.field("m").cast(pl.Int32, strict=False)
        if "(?P<m>" in pattern
        else _month_number(parts.struct.field("b"))
    )
    day = parts.struct.field("d").cast(pl.Int32, strict=False)
    return _build_date(parts.struct.field("Y"), month, day)


def _month_number(name: pl.Expr) -> pl.Expr:
    return name.str.to_lowercase().replace_strict(_MONTHS, default=None, return_dtype=pl.Int32)


def _year(text: pl.Expr) -> pl.Expr:
    number = text.cast(pl.Int32, strict=False)
    two_digits = text.str.len_chars() == 2
    pivot = pl.when(number < 69).then(number + 2000).otherwise(number + 1900)
    return pl.when(two_digits).then(pivot).otherwise(number)


def _build_date(year_text: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    # Going through zero-padded ISO text lets Polars reject 31 February and month 13 (-> null).
    iso = pl.concat_str(
        _year(year_text).cast(pl.String).str.zfill(4),
        pl.lit("-"),
        month.cast(pl.String).str.zfill(2),
        pl.lit("-"),
        day.cast(pl.String).str.zfill(2),
    )
    return iso.str.to_date("%Y-%m-%d", strict=False)


def _numeric_dates(table: pl.DataFrame) -> pl.DataFrame:
    parts = pl.col("numeric")
    same_separator = parts.struct.field("s1") == parts.struct.field("s2")
    p1 = parts.struct.field("p1").cast(pl.Int32, strict=False)
    p2 = parts.struct.field("p2").cast(pl.Int32, strict=False)
    year = parts.struct.field("Y")
    table = table.with_columns(
        is_numeric=same_separator.fill_null(False),
        day_month=_build_date(year, p2, p1),
        month_day=_build_date(year, p1, p2),
    )
    # A value valid in one order only is evidence for that order; 3/3/2020 reads the same both ways.
    numeric = pl.col("is_numeric")
    dm, md = pl.col("day_month"), pl.col("month_day")
    only_dm = numeric & dm.is_not_null() & md.is_null()
    only_md = numeric & md.is_not_null() & dm.is_null()
    same = numeric & (dm == md).fill_null(False)
    evidence_dm = table.filter(only_dm).get_column("value").sort()
    evidence_md = table.filter(only_md).get_column("value").sort()

    if evidence_dm.len() and evidence_md.len():
        conflict = (
            f'day/month order differs within the file ("{evidence_dm[0]}" is day/month, '
            f'"{evidence_md[0]}" is month/day): set date_format in the mapping, '
            "e.g. %d/%m/%Y or %m/%d/%Y"
        )
        # No numeric value can be trusted then, except one that reads the same both ways.
        numeric_date = pl.when(same).then(dm)
        numeric_reason = (
            pl.when(same)
            .then(pl.lit(None, pl.String))
            .when(dm.is_null() & md.is_null())
            .then(pl.lit(NOT_A_DATE))
            .otherwise(pl.lit(conflict))
        )
    elif evidence_dm.len() or evidence_md.len():
        numeric_date = dm if evidence_dm.len() else md
        numeric_reason = pl.when(numeric_date.is_null()).then(pl.lit(NOT_A_DATE))
    else:
        ambiguous = dm.is_not_null() & md.is_not_null() & ~same
        numeric_date = pl.when(same).then(dm)
        numeric_reason = (
            pl.when(ambiguous).then(pl.lit(AMBIGUOUS)).when(~same).then(pl.lit(NOT_A_DATE))
        )

    fixed = pl.col("fixed")
    return table.select(
        "value",
        date=pl.when(fixed.is_not_null()).then(fixed).when(numeric).then(numeric_date),
        reason=pl.when(fixed.is_not_null())
        .then(pl.lit(None, pl.String))
        .when(numeric)
        .then(numeric_reason)
        .otherwise(pl.lit(NOT_A_DATE)),
    )
