"""OTIF figures per group at a chosen grain (kpis.md sections 1 and 3).

`summarise` takes line outcomes from `evaluate` (plus any dimension columns the caller joined, such
as client or product) and returns one row per group. Percentages are null, never 0 or 100, when a
group has nothing measured: "no data" must not look like a result.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tower.engine.sigma import sigma_level

GRAINS = ("line", "order", "quantity", "value")
DIMENSIONS = (
    "client",
    "site",
    "product",
    "product_group",
    "ship_to",
    "transport_mode",
    "month",
    "quarter",
    "failure_kind",
    "functional_area",
)
# Dimensions derived from the line's period rather than read from a column.
PERIOD_DIMENSIONS = {
    "month": lambda period: period.dt.strftime("%Y-%m"),
    "quarter": lambda period: (
        period.dt.year().cast(pl.String) + pl.lit("Q") + period.dt.quarter().cast(pl.String)
    ),
}

SUMMARY_COLUMNS = (
    "grain",
    "count",
    "weight",
    "on_time",
    "in_full",
    "otif",
    "on_time_pct",
    "in_full_pct",
    "otif_pct",
    "failed",
    "pending",
    "excluded",
    "due_fallback",
    "line_fill_rate_pct",
    "volume_fill_rate_pct",
    "dpmo",
    "sigma",
)


def summarise(
    outcomes: pl.DataFrame,
    by: Sequence[str] = (),
    grain: str = "line",
    net: bool = False,
) -> pl.DataFrame:
    """Figures per group of `by`; one row when `by` is empty (even for no lines at all)."""
    by = list(by)
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}; got {grain!r}")
    missing = [k for k in by if k not in PERIOD_DIMENSIONS and k not in outcomes.columns]
    if missing:
        raise ValueError(f"cannot group by {', '.join(missing)}: no such column in the outcomes")
    if net and "excused" not in outcomes.columns:
        raise ValueError("net figures need the 'excused' column (approved non-CMO root causes)")

    col = pl.col
    frame = outcomes.lazy().with_columns(
        fn(col("period")).alias(name) for name, fn in PERIOD_DIMENSIONS.items() if name in by
    )
    if net:
        excused = col("excused").fill_null(False)
        frame = frame.with_columns(
            (col(c) | excused).alias(c) for c in ("on_time", "in_full", "otif")
        )

    line_figures = _aggregate(
        frame,
        by,
        pl.len().alias("_lines"),
        (col("state") == "pending").sum().cast(pl.Int64).alias("pending"),
        (col("state") == "excluded").sum().cast(pl.Int64).alias("excluded"),
        (col("due_fallback") & (col("state") == "measured"))
        .sum()
        .cast(pl.Int64)
        .alias("due_fallback"),
        _pct(col("in_full").sum(), col("otif").is_not_null().sum()).alias("line_fill_rate_pct"),
        _pct(
            pl.min_horizontal("delivered_qty", "ordered_qty")
            .filter(col("state") == "measured")
            .sum(),
            col("ordered_qty").filter(col("state") == "measured").sum(),
        ).alias("volume_fill_rate_pct"),
    )

    if grain == "order":
        # pending and excluded count orders at order grain, lines otherwise (_order_states).
        orders = _order_states(frame, by)
        line_figures = line_figures.drop("pending", "excluded")
        if by:
            line_figures = line_figures.join(orders, on=by, how="left", nulls_equal=True)
        else:
            line_figures = pl.concat([line_figures, orders], how="horizontal")
        line_figures = line_figures.with_columns(col("pending", "excluded").fill_null(0))

    units = _units(frame.filter(col("state") == "measured"), by, grain)
    unit_figures = _aggregate(
        units,
        by,
        pl.len().cast(pl.Int64).alias("count"),
        col("_w").sum().alias("weight"),
        *((col("_w") * col(c)).sum().alias(c) for c in ("on_time", "in_full", "otif")),
        (~col("otif")).sum().cast(pl.Int64).alias("failed"),
    )

    if by:
        figures = line_figures.join(unit_figures, on=by, how="left", nulls_equal=True)
    else:
        figures = pl.concat([line_figures, unit_figures], how="horizontal")
    figures = (
        figures.with_columns(
            pl.lit(grain).alias("grain"),
            col("count").fill_null(0),
            col("failed").fill_null(0),
            *(col(c).fill_null(0.0) for c in ("weight", "on_time", "in_full", "otif")),
        )
        .with_columns(
            _pct(col(c), col("weight")).alias(f"{c}_pct") for c in ("on_time", "in_full", "otif")
        )
        .with_columns(
            pl.when(col("weight") > 0)
            .then((1 - col("otif") / col("weight")) * 1_000_000)
            .alias("dpmo")
        )
        .select(*by, *SUMMARY_COLUMNS[:-1])
        .collect()
    )
    if by:
        figures = figures.sort(by, nulls_last=True)
    sigma = [sigma_level(v) for v in figures["dpmo"].to_list()]
    return figures.with_columns(pl.Series("sigma", sigma, dtype=pl.Float64))


def _units(measured: pl.LazyFrame, by: list[str], grain: str) -> pl.LazyFrame:
    """The counted units with their weight `_w`: lines, or orders judged on all their lines."""
    col = pl.col
    if grain != "order":
        weight = {
            "line": pl.lit(1.0),
            "quantity": col("ordered_qty"),
            "value": col("line_value").fill_null(0.0),
        }[grain]
        return measured.with_columns(weight.alias("_w"))
    # An order's period is the month of its earliest due date among its measured lines; within
    # other dimensions (a product, a site) the order is judged on its lines in that group.
    keys = [k for k in by if k not in PERIOD_DIMENSIONS]
    period_keys = [k for k in by if k in PERIOD_DIMENSIONS]
    return (
        measured.with_columns(col("period").min().over(["order_key", *keys]).alias("period"))
        .with_columns(PERIOD_DIMENSIONS[k](col("period")).alias(k) for k in period_keys)
        .group_by(["order_key", *by])
        .agg(col("on_time").all(), col("in_full").all(), col("otif").all())
        .with_columns(pl.lit(1.0).alias("_w"))
    )


def _order_states(frame: pl.LazyFrame, by: list[str]) -> pl.LazyFrame:
    """Pending and excluded orders per group (order grain).

    An order, within a group of the non-period `by` keys (as in _units), is in exactly one of:
    - measured, when at least one of its lines is measured: it is a unit (`count`), judged on
      its measured lines, even if other lines are still pending or excluded;
    - pending, when none of its lines is measured and at least one is pending: it will be
      judged once that line is complete or past its due date and grace days;
    - excluded, when every line is excluded (cancelled, zero quantity, no due date, by hand).
    So count + pending + excluded is the number of orders. Its period is the month of the
    earliest due date of its measured lines, or of all its lines when none is measured.
    """
    col = pl.col
    keys = [k for k in by if k not in PERIOD_DIMENSIONS]
    period_keys = [k for k in by if k in PERIOD_DIMENSIONS]
    order = ["order_key", *keys]
    measured = col("state") == "measured"
    orders = (
        frame.with_columns(
            pl.coalesce(
                col("period").filter(measured).min().over(order), col("period").min().over(order)
            ).alias("period")
        )
        .with_columns(PERIOD_DIMENSIONS[k](col("period")).alias(k) for k in period_keys)
        .group_by(["order_key", *by])
        .agg(measured.any().alias("_measured"), (col("state") == "pending").any().alias("_pending"))
    )
    unmeasured = ~col("_measured")
    return _aggregate(
        orders,
        by,
        (unmeasured & col("_pending")).sum().cast(pl.Int64).alias("pending"),
        (unmeasured & ~col("_pending")).sum().cast(pl.Int64).alias("excluded"),
    )


def _aggregate(frame: pl.LazyFrame, by: list[str], *exprs: pl.Expr) -> pl.LazyFrame:
    return frame.group_by(by).agg(*exprs) if by else frame.select(*exprs)


def _pct(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then((numerator / denominator * 100).round(2))
