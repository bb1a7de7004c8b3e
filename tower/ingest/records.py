"""Records of any kind (batches, deviations, CAPAs, plan weeks, stock-outs) from a read table.

A RecordSpec declares a kind once: its fields (text, date, number, choice or week; required or
not; limits), its natural key and the rules between fields. `parse_records` turns a table and a
mapping into one typed row per record plus every row error, with whole-column Polars
expressions only. One source row is one record, so a key seen twice in a file is an error:
keeping either row would be a guess.

Pure, like the rest of tower.ingest: tower.imports resolves the codes to database ids and
stores what this returns. The kinds themselves are declared in tower.ingest.specs.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field

import polars as pl

from tower.ingest.dates import parse_date_columns
from tower.ingest.errors import (
    RAW,
    ROW,
    ImportFileError,
    client_errors,
    combine_errors,
    empty_errors,
    raw_text,
    row_errors,
)
from tower.ingest.mapping import Mapping, check_columns
from tower.ingest.numbers import parse_number_columns

TEXT, DATE, NUMBER, CHOICE, WEEK = "text", "date", "number", "choice", "week"
_DTYPES = {TEXT: pl.String, DATE: pl.Date, NUMBER: pl.Float64, CHOICE: pl.String, WEEK: pl.Date}

# An ISO 8601 week: 2026-W07 (also 2026W07 and 2026-w7). Weeks start on Monday.
_ISO_WEEK = r"(?i)^(?P<Y>\d{4})-?W(?P<W>\d{1,2})$"
NOT_A_WEEK = "not an ISO week: weeks run from W01 to W52 (W53 in long years), e.g. 2026-W07"
NOT_A_MONDAY = "a week is given by its Monday or as an ISO week such as 2026-W07"


@dataclass(frozen=True)
class Field:
    """One column of a record kind, as the file gives it."""

    name: str
    type: str = TEXT
    required: bool = False
    # choice: stored value -> the words a file may write for it (matched in any case)
    choices: MappingType[str, tuple[str, ...]] = field(default_factory=dict)
    default: str | float | None = None  # what an empty cell means (None: nothing)
    empty_means: str | None = None  # choice: how the error message names the empty cell
    minimum: float | None = None  # number: lowest allowed value
    positive: bool = False  # number: must be more than 0

    @property
    def dtype(self) -> pl.DataType:
        return _DTYPES[self.type]


@dataclass(frozen=True)
class NotBefore:
    """`field` must not be before `earlier` (an end before its start) when both are given."""

    field: str
    earlier: str


@dataclass(frozen=True)
class RequiredWhen:
    """`field` is required when the typed `when` field holds one of `values`."""

    field: str
    when: str
    values: tuple[str, ...]
    words: str  # how the reason names the values, e.g. "released or rejected"


Rule = NotBefore | RequiredWhen


@dataclass(frozen=True)
class RecordSpec:
    kind: str  # "batches": the import's name (`tower import batches`, ImportLog.kind)
    record: str  # "batch": one record, in messages
    fields: tuple[Field, ...]  # the first is always the client
    key: tuple[str, ...]  # the natural key, client first
    rules: tuple[Rule, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def of_type(self, *types: str) -> list[Field]:
        return [f for f in self.fields if f.type in types]

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """The records frame parse_records returns: the source row, then every field typed."""
        return {"row": pl.Int64, **{f.name: f.dtype for f in self.fields}}


@dataclass
class ParsedRecords:
    records: pl.DataFrame  # spec.schema, one row per record in file order; unmapped fields null
    mapped: tuple[str, ...]  # fields the file gives (the client also when --client stands in)
    errors: pl.DataFrame  # ROW_ERROR_SCHEMA, sorted by row, column
    rows: int  # data rows validated (blank rows not counted)
    blank_rows: int  # rows with nothing in any mapped column, skipped

    @property
    def ok(self) -> bool:
        return self.errors.is_empty()


def parse_records(
    table: pl.DataFrame, mapping: Mapping, spec: RecordSpec, *, default_client: str | None = None
) -> ParsedRecords:
    """Every row of `table` typed and checked against `spec`; file-level problems raise
    ImportFileError, row problems are all collected in `errors` (nothing here is written)."""
    _check_mapping(mapping, table, spec, default_client)
    headers = list(dict.fromkeys(mapping.columns.values()))
    if not table.get_column(ROW).is_sorted():
        table = table.sort(ROW)
    data = table.select(*headers, ROW)
    # Rows with nothing in any mapped column are spreadsheet padding, not records.
    blank = data.select(pl.all_horizontal(pl.col(h).is_null() for h in headers)).to_series()
    if blank.any():
        data = data.filter(~blank)

    labels = {f: mapping.columns.get(f, f) for f in spec.names}
    typed, parse_errors = _typed(data, mapping, spec)
    frame = _fields(data, typed, mapping, spec, default_client)
    errors = combine_errors(
        [
            *parse_errors,
            *client_errors(frame, mapping, default_client, labels),
            *_field_errors(frame, mapping, spec, labels),
            *_rule_errors(frame, mapping, spec, labels),
            _duplicate_errors(frame, spec, labels),
        ]
    )
    mapped = tuple(f for f in spec.names if f in mapping.columns or f == "client")
    records = frame.select(pl.col(ROW).alias("row"), *spec.names)
    return ParsedRecords(
        records=records,
        mapped=mapped,
        errors=errors,
        rows=data.height,
        blank_rows=table.height - data.height,
    )


# --- set-up ----------------------------------------------------------------------------------


def _check_mapping(
    mapping: Mapping, table: pl.DataFrame, spec: RecordSpec, default_client: str | None
) -> None:
    """Problems of the mapping or the file as a whole: reported once, not on every row."""
    check_columns(mapping, table, spec.names)
    if "client" not in mapping.columns and not default_client:
        raise ImportFileError("no client column: pass --client CODE")
    needed = [f.name for f in spec.fields[1:] if f.required and f.name not in mapping.columns]
    if needed:
        raise ImportFileError(
            f"no column is mapped to {', '.join(needed)}: add it to the mapping "
            "(without a mapping, a column must be named so)"
        )


def _typed(
    data: pl.DataFrame, mapping: Mapping, spec: RecordSpec
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """The mapped date, week and number columns converted, with the errors of unreadable cells."""
    errors: list[pl.DataFrame] = []
    week_headers = [
        mapping.columns[f.name] for f in spec.of_type(WEEK) if f.name in mapping.columns
    ]
    # An ISO week reads as its Monday; the other cells of the column must be dates.
    as_dates = data
    for header in dict.fromkeys(week_headers):
        as_dates, week_errors = _iso_weeks(as_dates, header)
        errors.append(week_errors)
    date_headers = [
        mapping.columns[f.name] for f in spec.of_type(DATE, WEEK) if f.name in mapping.columns
    ]
    number_headers = [
        mapping.columns[f.name] for f in spec.of_type(NUMBER) if f.name in mapping.columns
    ]
    # All date columns together: the day/month order is decided once for the whole file.
    dates, date_errors = parse_date_columns(as_dates, date_headers, mapping.date_format)
    numbers, number_errors = parse_number_columns(data, number_headers)
    typed = data.select(
        ROW,
        *(dates.get_column(h).alias(f"date:{h}") for h in dict.fromkeys(date_headers)),
        *(numbers.get_column(h).alias(f"number:{h}") for h in dict.fromkeys(number_headers)),
    )
    return typed, [*errors, date_errors, number_errors]


def _iso_weeks(data: pl.DataFrame, header: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`header` with ISO week texts replaced by their Monday (YYYY-MM-DD), and the errors of
    week texts that name no week (those cells become empty, so no date error repeats them)."""
    parts = pl.col(header).str.extract_groups(_ISO_WEEK)
    year = parts.struct.field("Y").cast(pl.Int32)
    week = parts.struct.field("W").cast(pl.Int32)
    jan4 = pl.date(year, 1, 4)  # always in ISO week 1
    monday = jan4 - pl.duration(days=jan4.dt.weekday() - 1) + pl.duration(weeks=week - 1)
    # W53 of a year with 52 weeks would fall into the next ISO year.
    valid = (week >= 1) & (monday.dt.iso_year() == year)
    is_week = year.is_not_null()
    checked = data.with_columns(
        pl.when(is_week & valid)
        .then(monday.dt.strftime("%Y-%m-%d"))
        .when(is_week)
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col(header))
        .alias(header)
    )
    errors = row_errors(data, is_week & ~valid, header, pl.col(header), NOT_A_WEEK)
    return checked, errors


def _fields(
    data: pl.DataFrame,
    typed: pl.DataFrame,
    mapping: Mapping,
    spec: RecordSpec,
    default_client: str | None,
) -> pl.DataFrame:
    """Per field, the source text ("raw:field") and the typed value ("field")."""
    raw, values = [], []
    for f in spec.fields:
        header = mapping.columns.get(f.name)
        text = pl.col(header) if header else pl.lit(None, pl.String)
        raw.append(text.alias(RAW + f.name))
        values.append(_value(f, header).alias(f.name))
    frame = pl.concat([data.select(ROW, *raw), typed.drop(ROW)], how="horizontal")
    frame = frame.with_columns(values)
    # With --client given, an empty client cell means that client.
    client = pl.coalesce(raw_text("client"), pl.lit(default_client, pl.String))
    return frame.with_columns(client=client)


def _value(f: Field, header: str | None) -> pl.Expr:
    if header is None:
        return pl.lit(f.default, f.dtype)
    text = raw_text(f.name)
    if f.type in (DATE, WEEK):
        value = pl.col(f"date:{header}")
    elif f.type == NUMBER:
        value = pl.col(f"number:{header}")
    elif f.type == CHOICE:
        words = {word: stored for stored, spelled in f.choices.items() for word in spelled}
        value = text.str.to_lowercase().replace_strict(words, default=None)
    else:
        value = text
    if f.default is None:
        return value
    return pl.when(text.is_null()).then(pl.lit(f.default, f.dtype)).otherwise(value)


# --- checks ----------------------------------------------------------------------------------


def _field_errors(
    frame: pl.DataFrame, mapping: Mapping, spec: RecordSpec, labels: dict[str, str]
) -> list[pl.DataFrame]:
    out = []
    for f in spec.fields:
        if f.name not in mapping.columns and f.name != "client":
            continue
        value, text, label = pl.col(f.name), raw_text(f.name), labels[f.name]

        def error(condition: pl.Expr, reason: str | pl.Expr, label=label, text=text):
            return row_errors(frame, condition, label, text, reason)

        if f.required:
            # A cell that is there but unreadable is reported by its own check.
            out.append(error(value.is_null() & text.is_null(), f"{f.name} is required"))
        if f.type == CHOICE:
            words = [spelled[0] for spelled in f.choices.values()]
            allowed = f"{', '.join(words[:-1])} or {words[-1]}" if len(words) > 1 else words[0]
            empty = f" (empty: {f.empty_means})" if f.empty_means else ""
            unknown = text.is_not_null() & value.is_null()
            out.append(error(unknown, f"{f.name} must be {allowed}{empty}"))
        if f.type == NUMBER and f.minimum is not None:
            low = "must not be negative" if f.minimum == 0 else f"must be at least {f.minimum:g}"
            out.append(error(value < f.minimum, low))
        if f.type == NUMBER and f.positive:
            out.append(error(value <= 0, "must be more than 0"))
        if f.type == WEEK:
            weekday = pl.format("a {}: {}", value.dt.strftime("%A"), pl.lit(NOT_A_MONDAY))
            out.append(error(value.dt.weekday() != 1, weekday))
    return out


def _rule_errors(
    frame: pl.DataFrame, mapping: Mapping, spec: RecordSpec, labels: dict[str, str]
) -> list[pl.DataFrame]:
    out = []
    for rule in spec.rules:
        if isinstance(rule, NotBefore):
            if not {rule.field, rule.earlier} <= mapping.columns.keys():
                continue
            before = pl.col(rule.field) < pl.col(rule.earlier)
            reason = pl.format(
                "must not be before {} ({})", pl.lit(labels[rule.earlier]), raw_text(rule.earlier)
            )
            out.append(row_errors(frame, before, labels[rule.field], raw_text(rule.field), reason))
        else:
            if rule.when not in mapping.columns:
                continue
            label = labels[rule.field]
            missing = pl.col(rule.when).is_in(rule.values) & pl.col(rule.field).is_null()
            if rule.field in mapping.columns:
                # An unreadable value is reported by its own check.
                missing = missing & raw_text(rule.field).is_null()
            reason = f"{label} is required when {labels[rule.when]} is {rule.words}"
            out.append(row_errors(frame, missing, label, raw_text(rule.field), reason))
    return out


def _duplicate_errors(
    frame: pl.DataFrame, spec: RecordSpec, labels: dict[str, str]
) -> pl.DataFrame:
    """Every row after the first with the same natural key (compared typed: 2026-W07 is the
    same week as 2026-02-09), named against that first row."""
    key = list(spec.key)
    complete = pl.all_horizontal(pl.col(k).is_not_null() for k in key)
    keyed = frame.lazy().filter(complete).select(ROW, *key, raw_text(key[-1]))
    repeated = (
        keyed.with_columns(pl.col(ROW).min().over(key).alias("first"))
        .filter(pl.col(ROW) != pl.col("first"))
        .collect()
    )
    if repeated.is_empty():
        return empty_errors()
    names = [labels[k] for k in key]
    spelled = f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 1 else names[0]
    reason = pl.format(
        "the same {} as row {} ({}): a file may give each {} once",
        pl.lit(spec.record),
        pl.col("first"),
        pl.lit(spelled),
        pl.lit(spec.record),
    )
    return row_errors(repeated, pl.lit(True), labels[key[-1]], raw_text(key[-1]), reason)
