"""Per-line OTIF evaluation (kpis.md section 1), columnar.

The work is one sort of the counted deliveries by (line, date), a running total per line, one
group-by that reduces deliveries to per-line facts, and one join back onto the lines. Everything
after that is column arithmetic. No Python loop touches a row.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from tower.engine.definition import OtifDefinition

OUTCOME_SCHEMA: dict[str, pl.DataType] = {
    "line_id": pl.Int64,
    # order_key keeps the caller's dtype; listed here for documentation.
    "order_key": pl.Int64,
    "state": pl.String,  # measured | pending | excluded
    "exclusion": pl.String,  # manual | cancelled | zero_quantity | no_due_date | open_overdue
    "due_date": pl.Date,
    "due_basis": pl.String,  # the date column the due date came from
    "due_fallback": pl.Boolean,
    "period": pl.Date,  # first day of the due month
    "ordered_qty": pl.Float64,
    "line_value": pl.Float64,
    "delivered_qty": pl.Float64,
    "delivery_count": pl.Int64,
    "completion_date": pl.Date,
    "decisive_date": pl.Date,
    "days_late": pl.Int64,
    "on_time": pl.Boolean,
    "in_full": pl.Boolean,
    "otif": pl.Boolean,
    "delay_class": pl.String,  # 1-2 | 3-7 | 8-14 | >14
    "failure_kind": pl.String,  # not_delivered | late_and_short | late | short | over | early
}

DELAY_CLASSES = ("1-2", "3-7", "8-14", ">14")

# Quantities are compared after rounding to this many decimals: binary floats make 100 x 1.15
# come out as 114.99999999999999 and 0.7 + 0.2 + 0.1 as 0.9999999999999999, which would turn a
# delivery exactly on a tolerance bound, or a split summed in another order, into a failure.
QTY_DECIMALS = 6
FAILURE_KINDS = ("not_delivered", "late_and_short", "late", "short", "over", "early")

_DATE_COLUMN = {
    "committed": "committed_date",
    "first_committed": "first_committed_date",
    "requested": "requested_date",
}


def evaluate(
    lines: pl.DataFrame,
    deliveries: pl.DataFrame,
    definition: OtifDefinition,
    as_of: dt.date,
) -> pl.DataFrame:
    """One outcome row per line, sorted by line_id. See the module docstring of tower.engine."""
    d = definition
    col, lit = pl.col, pl.lit
    as_of_lit = lit(as_of, dtype=pl.Date)

    facts = _delivery_facts(lines, deliveries, d, as_of)

    chain = [_DATE_COLUMN[name] for name in d.due_chain]
    due_basis = pl.when(col(chain[0]).is_not_null()).then(lit(d.due_chain[0]))
    for name, column in zip(d.due_chain[1:], chain[1:], strict=True):
        due_basis = due_basis.when(col(column).is_not_null()).then(lit(name))

    manual = (
        col("manual_exclusion").is_not_null() if "manual_exclusion" in lines.columns else lit(False)
    )
    exclusion = pl.when(col("_manual")).then(lit("manual"))
    if "cancelled" in d.exclusions:
        exclusion = exclusion.when(col("status") == "cancelled").then(lit("cancelled"))
    if "zero_quantity" in d.exclusions:
        exclusion = exclusion.when(col("ordered_qty").fill_null(0) == 0).then(lit("zero_quantity"))
    exclusion = exclusion.when(col("due_date").is_null()).then(lit("no_due_date"))

    ordered = col("ordered_qty").fill_null(0.0)
    window_end = col("due_date") + pl.duration(days=d.late_days)
    window_start = (
        col("due_date") - pl.duration(days=d.early_days) if d.early_days is not None else None
    )
    upper = (
        (ordered * (1 + d.over_pct / 100)).round(QTY_DECIMALS)
        if d.over_pct is not None
        else lit(float("inf"))
    )
    lower = (ordered * (1 - d.under_pct / 100)).round(QTY_DECIMALS)
    delivered = col("delivered_qty").round(QTY_DECIMALS)

    out = (
        lines.lazy()
        .select(
            "line_id",
            "order_key",
            "status",
            pl.coalesce(chain).alias("due_date"),
            due_basis.alias("due_basis"),
            ordered.alias("ordered_qty"),
            col("line_value").cast(pl.Float64),
            manual.alias("_manual"),
        )
        .join(facts.lazy(), on="line_id", how="left")
        .with_columns(
            col("delivered_qty").fill_null(0.0),
            col("delivery_count").fill_null(0),
            exclusion.alias("exclusion"),
            (col("due_basis") != lit(d.basis)).fill_null(False).alias("due_fallback"),
            col("due_date").dt.truncate("1mo").alias("period"),
            pl.coalesce("completion_date", "last_date").alias("decisive_date"),
        )
        .with_columns(
            (col("decisive_date") - col("due_date")).dt.total_days().alias("days_late"),
            (as_of_lit > window_end).alias("_overdue"),
            (col("delivery_count") == 0).alias("_nothing"),
        )
        .with_columns(
            # Nothing delivered and overdue is left out when the agreement says so.
            pl.when(
                col("exclusion").is_null()
                & col("_nothing")
                & col("_overdue")
                & lit(d.open_overdue == "exclude")
            )
            .then(lit("open_overdue"))
            .otherwise(col("exclusion"))
            .alias("exclusion"),
        )
        .with_columns(
            pl.when(col("exclusion").is_not_null())
            .then(lit("excluded"))
            .when(col("completion_date").is_not_null() | col("_overdue"))
            .then(lit("measured"))
            .otherwise(lit("pending"))
            .alias("state"),
            (col("decisive_date") > window_end).fill_null(False).alias("_late"),
            (
                (col("first_date") < window_start).fill_null(False)
                if window_start is not None
                else lit(False)
            ).alias("_early"),
            (delivered < lower).alias("_short"),
            (delivered > upper).alias("_over"),
        )
        .with_columns(
            (~col("_nothing") & ~col("_late") & ~col("_early")).alias("on_time"),
            (~col("_short") & ~col("_over")).alias("in_full"),
        )
        .with_columns((col("on_time") & col("in_full")).alias("otif"))
        .with_columns(
            pl.when(col("state") != "measured").then(None).otherwise(col(c)).alias(c)
            for c in ("on_time", "in_full", "otif")
        )
        .with_columns(
            pl.when(col("otif").not_())
            .then(
                pl.when(col("_nothing"))
                .then(lit("not_delivered"))
                .when(col("_late") & col("_short"))
                .then(lit("late_and_short"))
                .when(col("_late"))
                .then(lit("late"))
                .when(col("_short"))
                .then(lit("short"))
                .when(col("_over"))
                .then(lit("over"))
                .when(col("_early"))
                .then(lit("early"))
            )
            .alias("failure_kind"),
            pl.when((col("state") == "measured") & (col("days_late") > d.late_days))
            .then(
                pl.when(col("days_late") <= 2)
                .then(lit("1-2"))
                .when(col("days_late") <= 7)
                .then(lit("3-7"))
                .when(col("days_late") <= 14)
                .then(lit("8-14"))
                .otherwise(lit(">14"))
            )
            .alias("delay_class"),
        )
        .select(list(OUTCOME_SCHEMA))
        .sort("line_id")
    )
    return out.collect()


def _delivery_facts(
    lines: pl.DataFrame, deliveries: pl.DataFrame, d: OtifDefinition, as_of: dt.date
) -> pl.DataFrame:
    """Per line with counted deliveries: total, count, first and last date, completion date.

    The running total per line is one cumulative sum over deliveries sorted by (line, date),
    minus the total before the line's first delivery: a linear pass instead of a windowed sum
    per line. Quantities are scaled to integers (QTY_DECIMALS) so the totals are exact.
    """
    col = pl.col
    scale = 10**QTY_DECIMALS
    date_column = "delivered_date" if d.measured_at == "delivery" else "shipped_date"
    lower = lines.select(
        "line_id",
        (col("ordered_qty").fill_null(0.0) * (1 - d.under_pct / 100) * scale)
        .round(0)
        .cast(pl.Int128)
        .alias("_lower"),
    )
    cumulative = col("_units").cum_sum()
    first_of_line = col("line_id").ne_missing(col("line_id").shift(1))
    # Deliveries of one day count together (kpis.md 1): the running total is read at the last
    # row of each day, so the row order within a day (say a return booked before the
    # shipment) cannot change the completion date.
    end_of_day = col("line_id").ne_missing(col("line_id").shift(-1)) | col("date").ne_missing(
        col("date").shift(-1)
    )
    return (
        deliveries.lazy()
        .select(
            "line_id",
            col(date_column).alias("date"),
            (col("quantity").fill_null(0.0) * scale).round(0).cast(pl.Int128).alias("_units"),
        )
        .filter(col("date").is_not_null() & (col("date") <= pl.lit(as_of, dtype=pl.Date)))
        .sort("line_id", "date")
        .with_columns(
            (
                cumulative - pl.when(first_of_line).then(cumulative - col("_units")).forward_fill()
            ).alias("_running"),
            end_of_day.alias("_end_of_day"),
        )
        .join(lower.lazy(), on="line_id", how="inner")
        .group_by("line_id")
        .agg(
            (col("_units").sum().cast(pl.Float64) / scale).alias("delivered_qty"),
            pl.len().cast(pl.Int64).alias("delivery_count"),
            col("date").min().alias("first_date"),
            col("date").max().alias("last_date"),
            col("date")
            .filter(col("_end_of_day") & (col("_running") >= col("_lower")))
            .min()
            .alias("completion_date"),
        )
        .collect()
    )
