"""Order lines and their deliveries from a read table and a mapping, every row validated.

One source row is one order line, or one delivery of a line: rows that share a line key
(client, order, line) - or (client, order, product) when the file has no line numbers - are one
line with several deliveries, and must then agree on everything that describes the line.

Every check runs over whole columns and every bad row is reported, not just the first: the
planner fixes the file once. Nothing here touches the database; the outputs are meaningful only
when `errors` is empty (design.md: an import with any error writes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tower.ingest.dates import parse_date_columns
from tower.ingest.errors import (
    RAW,
    ROW,
    ImportFileError,
    client_errors,
    combine_errors,
    raw_text,
    row_errors,
)
from tower.ingest.mapping import FIELDS, Mapping, check_columns
from tower.ingest.numbers import parse_number_columns

DUE_DATES = ("requested_date", "first_committed_date", "committed_date")
# When the CMO planned to ship: a scorecard KPI (kpis.md 4), not an input of the OTIF engine.
PLANNED_DATES = ("planned_ship_date",)
DELIVERY_DATES = ("shipped_date", "delivered_date")
NUMBER_FIELDS = ("ordered_qty", "line_value", "delivered_qty")
STATUSES = {"open": "open", "closed": "closed", "cancelled": "cancelled", "canceled": "cancelled"}

# Fields describing the line itself; all rows of one line must agree on them.
LINE_FIELDS = (
    "line",
    "product",
    "product_group",
    "site",
    "ship_to",
    "transport_mode",
    "ordered_qty",
    "unit",
    "line_value",
    "currency",
    *DUE_DATES,
    *PLANNED_DATES,
    "planned_batch",
    "status",
)

LINE_SCHEMA = {
    "client": pl.String,
    "order": pl.String,
    "line": pl.String,
    "product": pl.String,
    "product_group": pl.String,
    "site": pl.String,
    "ship_to": pl.String,
    "transport_mode": pl.String,
    "ordered_qty": pl.Float64,
    "unit": pl.String,
    "line_value": pl.Float64,
    "currency": pl.String,
    "requested_date": pl.Date,
    "first_committed_date": pl.Date,
    "committed_date": pl.Date,
    "planned_ship_date": pl.Date,
    # The number of the batch planned to fill the line (kpis.md 8); tower.imports checks it
    # names a stored batch of the line's client and product.
    "planned_batch": pl.String,
    "status": pl.String,
    "first_row": pl.Int64,
}
DELIVERY_SCHEMA = {
    "client": pl.String,
    "order": pl.String,
    "line": pl.String,
    "shipped_date": pl.Date,
    "delivered_date": pl.Date,
    "delivered_qty": pl.Float64,
    "delivery_id": pl.String,
    "batch": pl.String,
    "row": pl.Int64,
}
_TYPES = {**LINE_SCHEMA, **DELIVERY_SCHEMA}
_GROUP = (
    "line:id"  # a number per line key: grouping by one integer is much cheaper than by three texts
)


@dataclass
class ParsedLines:
    lines: pl.DataFrame  # LINE_SCHEMA, one row per line key, in file order
    deliveries: pl.DataFrame  # DELIVERY_SCHEMA, one row per delivery row, in file order
    errors: pl.DataFrame  # ROW_ERROR_SCHEMA, sorted by row, column
    rows: int  # data rows validated (blank rows not counted)
    blank_rows: int  # rows with nothing in any mapped column, skipped
    keyed_by: str  # "line" or "product": what identifies a line within an order

    @property
    def ok(self) -> bool:
        return self.errors.is_empty()

    @property
    def error_rows(self) -> int:
        return self.errors.get_column("row").n_unique()


def parse_lines(
    table: pl.DataFrame, mapping: Mapping, *, default_client: str | None = None
) -> ParsedLines:
    _check_mapping(mapping, table, default_client)
    headers = list(dict.fromkeys(mapping.columns.values()))
    if not table.get_column(ROW).is_sorted():
        table = table.sort(ROW)
    data = table.select(*headers, ROW)
    # Rows with nothing in any mapped column are spreadsheet padding, not order lines.
    blank = data.select(pl.all_horizontal(pl.col(h).is_null() for h in headers)).to_series()
    if blank.any():
        data = data.filter(~blank)

    date_headers = [
        mapping.columns[f]
        for f in (*DUE_DATES, *PLANNED_DATES, *DELIVERY_DATES)
        if f in mapping.columns
    ]
    number_headers = [mapping.columns[f] for f in NUMBER_FIELDS if f in mapping.columns]
    dates, date_errors = parse_date_columns(data, date_headers, mapping.date_format)
    numbers, number_errors = parse_number_columns(data, number_headers)

    key = ["client", "order", "line"]
    frame = _fields(data, dates, numbers, mapping, default_client)
    # Rows missing part of the key are reported as such and belong to no line (null id).
    complete = pl.all_horizontal(pl.col(k).is_not_null() for k in key)
    frame = frame.with_columns(pl.when(complete).then(pl.struct(key).rank("dense")).alias(_GROUP))
    labels = {f: mapping.columns.get(f, f) for f in _TYPES}
    keyed_by = "line" if "line" in mapping.columns else "product"

    errors = combine_errors(
        [
            date_errors,
            number_errors,
            *client_errors(frame, mapping, default_client, labels),
            *_required_errors(frame, mapping, labels),
            *_value_errors(frame, labels),
            *_delivery_errors(frame, mapping, labels),
            *_agreement_errors(frame, key, labels, keyed_by),
            _duplicate_delivery_errors(frame, labels),
        ]
    )
    is_delivery = pl.any_horizontal(
        pl.col(RAW + f).is_not_null() for f in ("delivered_qty", *DELIVERY_DATES)
    )
    # Lazy, so that only the output columns are filtered.
    lines = (
        frame.lazy()
        .filter(pl.col(_GROUP).is_first_distinct())
        .select(*(c for c in LINE_SCHEMA if c != "first_row"), pl.col(ROW).alias("first_row"))
        .collect()
    )
    deliveries = (
        frame.lazy()
        .filter(is_delivery)
        .select(*(c for c in DELIVERY_SCHEMA if c != "row"), pl.col(ROW).alias("row"))
        .collect()
    )
    return ParsedLines(
        lines=lines,
        deliveries=deliveries,
        errors=errors,
        rows=data.height,
        blank_rows=table.height - data.height,
        keyed_by=keyed_by,
    )


# --- set-up ----------------------------------------------------------------------------------


def _check_mapping(mapping: Mapping, table: pl.DataFrame, default_client: str | None) -> None:
    """Problems of the mapping or the file as a whole: reported once, not on every row."""
    mapped = mapping.columns
    if "client" not in mapped and not default_client:
        raise ImportFileError("no client column: pass --client CODE")
    needed = [f for f in ("order", "product", "ordered_qty") if f not in mapped]
    if needed:
        raise ImportFileError(
            f"no column is mapped to {', '.join(needed)}: add it to the mapping "
            "(without a mapping, a column must be named so)"
        )
    if not any(f in mapped for f in DUE_DATES):
        raise ImportFileError(
            f"no column is mapped to a due date: map one of {', '.join(DUE_DATES)}"
        )
    has_dates = any(f in mapped for f in DELIVERY_DATES)
    if "delivered_qty" in mapped and not has_dates:
        raise ImportFileError("delivered_qty is mapped: map shipped_date or delivered_date too")
    if has_dates and "delivered_qty" not in mapped:
        raise ImportFileError("a delivery date is mapped: map delivered_qty too")
    check_columns(mapping, table, FIELDS)


def _fields(
    data: pl.DataFrame,
    dates: pl.DataFrame,
    numbers: pl.DataFrame,
    mapping: Mapping,
    default_client: str | None,
) -> pl.DataFrame:
    """A frame with, per field, the source text ("raw:field") and the typed value ("field")."""
    raw, typed = [], []
    for field, dtype in _TYPES.items():
        if field in ("first_row", "row"):
            continue
        header = mapping.columns.get(field)
        text = pl.col(header) if header else pl.lit(None, pl.String)
        raw.append(text.alias(RAW + field))
        if header and dtype == pl.Date:
            typed.append(dates.get_column(header).alias(field))
        elif header and dtype == pl.Float64:
            typed.append(numbers.get_column(header).alias(field))
        else:
            typed.append(pl.col(RAW + field).cast(dtype).alias(field))
    frame = data.select(pl.col(ROW), *raw).with_columns(typed)

    client = pl.col(RAW + "client")
    status = pl.col(RAW + "status")
    return frame.with_columns(
        # With --client given, an empty client cell means that client.
        client=pl.coalesce(client, pl.lit(default_client, pl.String)),
        # An empty status is an open line; the words are matched in any case.
        status=pl.when(status.is_null())
        .then(pl.lit("open"))
        .otherwise(status.str.to_lowercase().replace_strict(STATUSES, default=None)),
        # Without line numbers the product identifies the line within its order.
        line=pl.col("line") if "line" in mapping.columns else pl.col("product"),
    )


# --- checks ----------------------------------------------------------------------------------


def _required_errors(
    frame: pl.DataFrame, mapping: Mapping, labels: dict[str, str]
) -> list[pl.DataFrame]:
    required = ["client", "order", "product", "ordered_qty"]
    if "line" in mapping.columns:
        required.insert(2, "line")
    out = [
        row_errors(
            frame,
            pl.col(f).is_null() & raw_text(f).is_null(),
            labels[f],
            raw_text(f),
            f"{f} is required",
        )
        for f in required
    ]
    due = [f for f in DUE_DATES if f in mapping.columns]
    no_due_date = pl.all_horizontal(raw_text(f).is_null() for f in due)
    names = " or ".join(f'"{labels[f]}" ({f})' for f in due)
    out.append(
        row_errors(
            frame, no_due_date, labels[due[0]], raw_text(due[0]), f"a due date is required: {names}"
        )
    )
    return out


def _value_errors(frame: pl.DataFrame, labels: dict[str, str]) -> list[pl.DataFrame]:
    # One reason for both, so a column mapped to both (SCMS) reports a bad cell once.
    out = [
        row_errors(frame, pl.col(f) < 0, labels[f], raw_text(f), "a quantity must not be negative")
        for f in ("ordered_qty", "delivered_qty")
    ]
    out.append(
        row_errors(
            frame,
            pl.col("line_value") < 0,
            labels["line_value"],
            raw_text("line_value"),
            "a line value must not be negative",
        )
    )
    unknown = pl.col("status").is_null()
    out.append(
        row_errors(
            frame,
            unknown,
            labels["status"],
            raw_text("status"),
            "status must be open, closed or cancelled",
        )
    )
    return out


def _delivery_errors(
    frame: pl.DataFrame, mapping: Mapping, labels: dict[str, str]
) -> list[pl.DataFrame]:
    if "delivered_qty" not in mapping.columns:
        return []
    has_qty = raw_text("delivered_qty").is_not_null()
    has_date = pl.any_horizontal(raw_text(f).is_not_null() for f in DELIVERY_DATES)
    date_field = "delivered_date" if "delivered_date" in mapping.columns else "shipped_date"
    date_names = " or ".join(f'"{labels[f]}" ({f})' for f in DELIVERY_DATES if f in mapping.columns)
    return [
        row_errors(
            frame,
            has_date & ~has_qty,
            labels["delivered_qty"],
            raw_text("delivered_qty"),
            "a delivery needs a delivered quantity (this row has a delivery date)",
        ),
        row_errors(
            frame,
            has_qty & ~has_date,
            labels[date_field],
            raw_text(date_field),
            f"a delivery needs a date: {date_names} (this row has a delivered quantity)",
        ),
    ]


def _duplicate_delivery_errors(frame: pl.DataFrame, labels: dict[str, str]) -> pl.DataFrame:
    """A delivery id given twice for one line: two identical rows would otherwise be stored as
    two deliveries (200 delivered of 100). The same id on other lines is one shipment carrying
    several lines, which is fine."""
    keyed = pl.col(_GROUP).is_not_null() & raw_text("delivery_id").is_not_null()
    repeated = (
        frame.lazy()
        .filter(keyed)
        .select(ROW, _GROUP, raw_text("delivery_id"))
        .with_columns(pl.col(ROW).min().over(_GROUP, raw_text("delivery_id")).alias("first"))
        .filter(pl.col(ROW) != pl.col("first"))
        .collect()
    )
    reason = pl.format(
        "the same delivery as row {} (order, line and {}): a file gives each delivery once",
        pl.col("first"),
        pl.lit(labels["delivery_id"]),
    )
    return row_errors(
        repeated, pl.lit(True), labels["delivery_id"], raw_text("delivery_id"), reason
    )


def _agreement_errors(
    frame: pl.DataFrame, key: list[str], labels: dict[str, str], keyed_by: str
) -> list[pl.DataFrame]:
    """Rows of one line that disagree on a line field, each named against the line's first row.

    Values are compared typed ("1,000" equals "1000", 2-Jun-06 equals 2006-06-02). A value that
    could not be read at all is reported by its own check and left out of the comparison, so a
    typo in one row does not also flag every other row of the line.
    """
    fields = [
        f for f in LINE_FIELDS if f not in key and not (keyed_by == "product" and f == "product")
    ]
    suspects = _inconsistent_lines(frame, fields)
    if suspects.is_empty():
        return []
    out = []
    for field in fields:
        value, text = pl.col(field), raw_text(field)
        readable = ~(value.is_null() & text.is_not_null())
        # The reference is computed before any filtering: it is the line's first readable row.
        compared = suspects.with_columns(
            pl.col(ROW).filter(readable).first().over(_GROUP).alias("ref:row"),
            value.filter(readable).first().over(_GROUP).alias("ref:value"),
            text.filter(readable).first().over(_GROUP).fill_null("").alias("ref:text"),
        )
        differs = readable & value.ne_missing(pl.col("ref:value")) & pl.col("ref:row").is_not_null()
        reason = pl.format(
            'differs from row {} ("{}"), the first row of this order line: '
            "the rows of one line must agree on {}",
            pl.col("ref:row"),
            pl.col("ref:text"),
            pl.lit(labels[field]),
        )
        out.append(row_errors(compared, differs, labels[field], text, reason))
    return out


def _inconsistent_lines(frame: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """The rows of lines whose rows are not all equal on `fields` (usually none).

    Window functions over a million rows are slow, so the exact but cheap test comes first:
    sorted by line and row, a line is consistent when each row equals the one before it.
    Only the rows of the lines that fail it get the detailed (window) comparison.
    """
    shared = (
        frame.lazy()
        .filter(pl.col(_GROUP).is_not_null() & pl.col(_GROUP).is_duplicated())
        .select(ROW, _GROUP, *fields, *(RAW + f for f in fields))
        .collect()
    )
    if shared.is_empty():
        return shared
    ordered = shared.select(_GROUP, *fields).sort(_GROUP, maintain_order=True)
    same_line = pl.col(_GROUP) == pl.col(_GROUP).shift(1)
    changed = pl.any_horizontal(pl.col(f).ne_missing(pl.col(f).shift(1)) for f in fields)
    bad = ordered.filter(same_line & changed).get_column(_GROUP).unique()
    return shared.filter(pl.col(_GROUP).is_in(bad.implode()))
