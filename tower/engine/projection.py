"""Early warning (kpis.md section 8): the projected dates of every open line, columnar.

    from tower.engine.projection import ProjectionSettings, project
    projection = project(lines, deliveries, batches, definition, as_of, ProjectionSettings())

Inputs (extra columns are ignored; dtypes in tower.engine.schemas):

  lines       LINE_SCHEMA + PROJECTION_LINE_SCHEMA: every line of the client (closed ones too:
              their deliveries give each lane's transit), with product, site, ship_to,
              transport_mode, planned_ship_date and planned_batch.
  deliveries  DELIVERY_SCHEMA.
  batches     BATCH_SCHEMA (key `batch`).
  stock       STOCK_SCHEMA, optional: the client's shared stock rows.

The result has one row per open line as of T (PROJECTION_SCHEMA below): for each milestone its
planned, actual and projected date and its slip, the projected date D, the risk, the projected
days late, the cause, the client stock-out the line will cause. The chain of six milestones is
unrolled into column expressions: one join per input, no Python loop over rows.

Choices where kpis.md 8 is silent (documented in the README too):
- An open line is also not `closed` in the ERP (a closed short line will receive nothing more).
- An actual date of a later milestone proves an earlier one done: a milestone without its own
  actual takes the nearest later actual as its projected date (a batch released without a
  recorded material-ready date did not have its materials ready "today").
- A planned date that cannot be derived (the batch has no planned start) leaves the milestone
  undated: it is projected at the previous projection plus the step's lead time, never before
  T, and counts no slip.
- A line with neither batch nor planned ship date that has already shipped in full is in
  transit, not "no plan": it is projected from its ship date.
- A planned batch missing from `batches` is treated as no batch (the import refuses unknown
  batches, so this happens only on hand-made frames).
- Transit: median of (delivered - shipped) days over the lane's deliveries delivered in the
  365 days ending on T, rounded up to whole days, when there are at least 5.
- Cause is given for late lines (kpis.md), for no supply (QC release, quality) and no plan
  (planning); tight and on-track lines have none.
- Only the lines with a projected arrival take part in the stock cover; a line arriving on day
  `cover_end` itself still refills in time; the stock-out starts on date + floor(cover days).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from tower.engine.definition import OtifDefinition
from tower.engine.otif import _delivery_facts, evaluate

MILESTONES = (
    "material_ready",
    "production_start",
    "production_end",
    "qc_release",
    "ship",
    "arrival",
)
BATCH_MILESTONES = MILESTONES[:4]
MILESTONE_AREA = {
    "material_ready": "materials",
    "production_start": "planning",
    "production_end": "manufacturing",
    "qc_release": "quality",
    "ship": "shipping",
    "arrival": "shipping",
}
MILESTONE_LABEL = {
    "material_ready": "Material ready",
    "production_start": "Production start",
    "production_end": "Production end",
    "qc_release": "QC release",
    "ship": "Ship",
    "arrival": "Arrival",
}
RISKS = ("late", "tight", "on_track", "no_plan", "no_supply")
PLANNED_LATE = "planned_late"

# Lanes need this many deliveries in the window before their own median is trusted.
MIN_LANE_DELIVERIES = 5
TRANSIT_WINDOW_DAYS = 365
MAX_SETTING_DAYS = 365

PROJECTION_SCHEMA: dict[str, Any] = {
    "line_id": pl.Int64,
    "due_date": pl.Date,
    "period": pl.Date,
    "remaining_qty": pl.Float64,
    "transit_days": pl.Int64,
    "transit_from_lane": pl.Boolean,
    "risk": pl.String,
    "projected_date": pl.Date,
    "projected_days_late": pl.Int64,
    "cause_milestone": pl.String,
    "cause_area": pl.String,
    "stock_out_from": pl.Date,
    **{
        f"{m}_{part}": (pl.Int64 if part == "slip" else pl.Date)
        for m in MILESTONES
        for part in ("planned", "actual", "projected", "slip")
    },
}


class SettingsError(ValueError):
    """An early-warning setting is out of range; the message says which."""


@dataclass(frozen=True)
class ProjectionSettings:
    """The agreement's early-warning settings (kpis.md 8), in days."""

    production_days: int = 5  # production end after production start
    release_days: int = 7  # QC release after production end
    ship_days: int = 2  # ship after QC release
    transit_days: int = 5  # default transit when the lane has too few deliveries
    tight_days: int = 2
    horizon_days: int = 14  # planning horizon: "no plan" only for lines due within it

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise SettingsError(f"{f.name} must be a whole number of days; got {value!r}")
            if not 0 <= value <= MAX_SETTING_DAYS:
                raise SettingsError(
                    f"{f.name} must be between 0 and {MAX_SETTING_DAYS} days; got {value}"
                )


def project(
    lines: pl.DataFrame,
    deliveries: pl.DataFrame,
    batches: pl.DataFrame,
    definition: OtifDefinition,
    as_of: dt.date,
    settings: ProjectionSettings | None = None,
    stock: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per open line as of `as_of` (PROJECTION_SCHEMA), sorted by line_id."""
    s = settings or ProjectionSettings()
    col, lit = pl.col, pl.lit
    T = lit(as_of, dtype=pl.Date)

    outcomes = evaluate(lines, deliveries, definition, as_of)
    shipped = _shipped_in_full(lines, deliveries, definition, as_of)
    transit = _lane_transit(lines, deliveries, as_of)
    lanes = ["site", "ship_to", "transport_mode"]

    batch_cols = [
        "planned_start",
        "actual_start",
        "planned_end",
        "actual_end",
        "material_ready_date",
        "planned_release_date",
        "actual_release_date",
        "disposition",
    ]
    bt = batches.lazy().select(
        col("batch").alias("planned_batch"),
        *batch_cols,
        lit(True).alias("_has_batch"),
    )
    base = (
        lines.lazy()
        .select(
            "line_id",
            "status",
            "planned_batch",
            "planned_ship_date",
            *lanes,
        )
        .join(
            outcomes.lazy().select(
                "line_id",
                "exclusion",
                "completion_date",
                "due_date",
                "period",
                (col("ordered_qty") - col("delivered_qty"))
                .clip(lower_bound=0)
                .alias("remaining_qty"),
            ),
            on="line_id",
            how="left",
        )
        .filter(
            col("exclusion").is_null()
            & col("completion_date").is_null()
            & (col("status").fill_null("open") != "closed")
        )
        .join(shipped.lazy(), on="line_id", how="left")
        .join(transit.lazy(), on=lanes, how="left", nulls_equal=True)
        .join(bt, on="planned_batch", how="left")
        .with_columns(
            col("_has_batch").fill_null(False),
            (col("_lane_count").fill_null(0) >= MIN_LANE_DELIVERIES).alias("transit_from_lane"),
        )
        .with_columns(
            pl.when(col("transit_from_lane"))
            .then(col("_lane_median"))
            .otherwise(lit(s.transit_days))
            .cast(pl.Int64)
            .alias("transit_days"),
        )
    )

    def seen(expr: pl.Expr) -> pl.Expr:
        """An actual date counts only when it is on or before T."""
        return pl.when(expr <= T).then(expr)

    hb = col("_has_batch")
    released = col("disposition").str.to_lowercase() == "released"
    actual = {
        "material_ready": seen(col("material_ready_date")),
        "production_start": seen(col("actual_start")),
        "production_end": seen(col("actual_end")),
        "qc_release": seen(pl.when(released).then(col("actual_release_date"))),
        "ship": seen(col("_shipped_on")),
        "arrival": lit(None, dtype=pl.Date),
    }
    frame = base.with_columns(
        *(
            pl.when(hb).then(actual[m]).alias(f"{m}_actual")
            if m in BATCH_MILESTONES
            else actual[m].alias(f"{m}_actual")
            for m in MILESTONES
        )
    )
    # Planned dates, each derived from the previous planned date plus the step's lead when
    # missing (kpis.md 8), so a slip is never counted twice.
    days = lambda n: pl.duration(days=n)  # noqa: E731
    lead = {
        "material_ready": days(0),
        "production_start": days(0),
        "production_end": days(s.production_days),
        "qc_release": days(s.release_days),
        "ship": days(s.ship_days),
        "arrival": pl.duration(days=col("transit_days")),
    }
    own_planned = {
        "material_ready": col("planned_start"),
        "production_start": col("planned_start"),
        "production_end": col("planned_end"),
        "qc_release": col("planned_release_date"),
        "ship": col("planned_ship_date"),
        "arrival": lit(None, dtype=pl.Date),
    }
    planned: dict[str, pl.Expr] = {}
    previous = None
    for m in MILESTONES:
        expr = own_planned[m]
        if previous is not None:
            expr = pl.coalesce(expr, previous + lead[m])
        if m in BATCH_MILESTONES:
            expr = pl.when(hb).then(expr)
        planned[m] = expr
        frame = frame.with_columns(expr.alias(f"{m}_planned"))
        previous = col(f"{m}_planned")

    # Done by a later actual: the nearest later actual stands in for a missing one.
    done: dict[str, pl.Expr] = {}
    later = lit(None, dtype=pl.Date)
    for m in reversed(MILESTONES):
        done[m] = pl.coalesce(col(f"{m}_actual"), later)
        later = done[m]
        frame = frame.with_columns(done[m].alias(f"_{m}_done"))

    # The projection proper, milestone by milestone.
    for i, m in enumerate(MILESTONES):
        p = col(f"{m}_planned")
        first_of_chain = (~hb) if m == "ship" else lit(i == 0)
        if i == 0:
            prev_slip, prev_proj = lit(0), T
        else:
            before = MILESTONES[i - 1]
            prev_slip = pl.when(first_of_chain).then(0).otherwise(col(f"{before}_slip"))
            prev_proj = pl.when(first_of_chain).then(T).otherwise(col(f"{before}_projected"))
        step = pl.when(first_of_chain).then(days(0)).otherwise(lead[m])
        projected = (
            pl.when(col(f"_{m}_done").is_not_null())
            .then(col(f"_{m}_done"))
            .when(p.is_not_null())
            .then(pl.max_horizontal(T, p + pl.duration(days=prev_slip)))
            .otherwise(pl.max_horizontal(T, prev_proj + step))
        )
        if m in BATCH_MILESTONES:
            projected = pl.when(hb).then(projected)
        frame = frame.with_columns(projected.alias(f"{m}_projected")).with_columns(
            pl.when(p.is_not_null())
            .then(((col(f"{m}_projected") - p).dt.total_days()).clip(lower_bound=0))
            .when(col(f"{m}_projected").is_not_null())
            .then(lit(0))
            .cast(pl.Int64)
            .alias(f"{m}_slip")
        )

    late_days = definition.late_days
    window_end = col("due_date") + days(late_days)
    measured = "ship" if definition.measured_at == "shipment" else "arrival"
    rejected = hb & (col("disposition").str.to_lowercase() == "rejected").fill_null(False)
    unplanned = ~hb & col("planned_ship_date").is_null() & col("ship_actual").is_null()
    d_expr = col(f"{measured}_projected")
    frame = frame.with_columns(
        pl.when(rejected)
        .then(lit("no_supply"))
        .when(unplanned & (col("due_date") <= T + days(s.horizon_days)))
        .then(lit("no_plan"))
        .when(unplanned)
        .then(lit("on_track"))
        .when(d_expr > window_end)
        .then(lit("late"))
        .when((window_end - d_expr).dt.total_days() <= s.tight_days)
        .then(lit("tight"))
        .otherwise(lit("on_track"))
        .alias("risk"),
        (rejected | unplanned).alias("_undated"),
    )
    # No projection for lines without plan, nor past the rejected batch's release.
    blank = {
        m: col("_undated") & (lit(m in ("qc_release", "ship", "arrival")) | ~rejected)
        for m in MILESTONES
    }
    frame = frame.with_columns(
        *(
            pl.when(blank[m]).then(None).otherwise(col(f"{m}_{part}")).alias(f"{m}_{part}")
            for m in MILESTONES
            for part in ("projected", "slip")
        )
    )
    frame = frame.with_columns(
        pl.when(~col("_undated")).then(d_expr).alias("projected_date"),
    ).with_columns(
        pl.when(col("risk") == "late")
        .then((col("projected_date") - col("due_date")).dt.total_days())
        .alias("projected_days_late"),
    )

    # Cause: the milestone adding the most slip, the earliest on a tie; none: planned late.
    increments = []
    for i, m in enumerate(MILESTONES):
        if i == 0:
            prev = lit(0)
        elif m == "ship":
            prev = pl.when(hb).then(col("qc_release_slip")).otherwise(0)
        else:
            prev = col(f"{MILESTONES[i - 1]}_slip")
        increments.append((col(f"{m}_slip") - prev.fill_null(0)).alias(f"_inc_{m}"))
    frame = frame.with_columns(increments).with_columns(
        pl.max_horizontal(*(col(f"_inc_{m}") for m in MILESTONES)).alias("_inc_max")
    )
    cause = pl.when(col("_inc_max").fill_null(0) <= 0).then(lit(PLANNED_LATE))
    for m in MILESTONES:
        cause = cause.when(col(f"_inc_{m}") == col("_inc_max")).then(lit(m))
    late_cause = cause
    area = pl.when(col("cause_milestone") == PLANNED_LATE).then(lit("planning"))
    for m in MILESTONES:
        area = area.when(col("cause_milestone") == m).then(lit(MILESTONE_AREA[m]))
    frame = frame.with_columns(
        pl.when(col("risk") == "late")
        .then(late_cause)
        .when(col("risk") == "no_supply")
        .then(lit("qc_release"))
        .alias("cause_milestone")
    ).with_columns(
        pl.when(col("risk") == "no_plan").then(lit("planning")).otherwise(area).alias("cause_area")
    )

    result = frame.collect()
    result = result.with_columns(stock_out_from=_stock_out_from(lines, result, stock, as_of))
    return result.select(
        [pl.col(name).cast(dtype) for name, dtype in PROJECTION_SCHEMA.items()]
    ).sort("line_id")


def _shipped_in_full(
    lines: pl.DataFrame, deliveries: pl.DataFrame, definition: OtifDefinition, as_of: dt.date
) -> pl.DataFrame:
    """line_id, _shipped_on: the day the shipped quantity reached the in-full threshold.

    A delivered row without a shipped date was shipped no later than it arrived.
    """
    shipments = deliveries.select(
        "line_id",
        pl.coalesce("shipped_date", "delivered_date").alias("shipped_date"),
        pl.lit(None, dtype=pl.Date).alias("delivered_date"),
        "quantity",
    )
    facts = _delivery_facts(
        lines, shipments, dataclasses.replace(definition, measured_at="shipment"), as_of
    )
    return facts.select("line_id", pl.col("completion_date").alias("_shipped_on"))


def _lane_transit(lines: pl.DataFrame, deliveries: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Per lane (site, ship_to, transport_mode): deliveries in the window and their median."""
    col = pl.col
    start = as_of - dt.timedelta(days=TRANSIT_WINDOW_DAYS)
    return (
        deliveries.lazy()
        .filter(
            col("shipped_date").is_not_null()
            & (col("delivered_date") > pl.lit(start, dtype=pl.Date))
            & (col("delivered_date") <= pl.lit(as_of, dtype=pl.Date))
        )
        .select(
            "line_id", (col("delivered_date") - col("shipped_date")).dt.total_days().alias("_d")
        )
        .join(
            lines.lazy().select("line_id", "site", "ship_to", "transport_mode"),
            on="line_id",
            how="inner",
        )
        .group_by("site", "ship_to", "transport_mode")
        .agg(
            pl.len().alias("_lane_count"),
            col("_d").median().ceil().clip(lower_bound=0).cast(pl.Int64).alias("_lane_median"),
        )
        .collect()
    )


def _stock_out_from(
    lines: pl.DataFrame, projected: pl.DataFrame, stock: pl.DataFrame | None, as_of: dt.date
) -> pl.Series:
    """Per projected row (same order): the day the line's late arrival starts a stock-out."""
    n = projected.height
    if stock is None or stock.is_empty() or n == 0:
        return pl.Series("stock_out_from", [None] * n, dtype=pl.Date)
    col = pl.col
    latest = (
        stock.lazy()
        .filter(col("date") <= pl.lit(as_of, dtype=pl.Date))
        .filter(col("daily_demand").fill_null(0) > 0)
        .sort("date")
        .group_by("product", "location")
        .agg(col("date").last(), col("on_hand").last(), col("daily_demand").last())
    )
    arrivals = (
        projected.lazy()
        .with_row_index("_row")
        .filter(col("arrival_projected").is_not_null())
        .select("_row", "line_id", "arrival_projected", "remaining_qty")
        .join(
            lines.lazy().select("line_id", "product", col("ship_to").alias("location")),
            on="line_id",
            how="inner",
        )
        .join(latest, on=["product", "location"], how="inner")
        .sort("product", "location", "arrival_projected", "line_id")
        .with_columns(
            (col("on_hand").clip(lower_bound=0) / col("daily_demand")).alias("_cover"),
            (col("remaining_qty") / col("daily_demand")).alias("_adds"),
            (col("arrival_projected") - col("date")).dt.total_days().alias("_at"),
        )
        .with_columns(
            (
                col("_cover") + col("_adds").cum_sum().over("product", "location") - col("_adds")
            ).alias("_cover_before"),
        )
        .with_columns((col("_at") > col("_cover_before")).alias("_breaks"))
        .with_columns(
            (
                col("_breaks")
                & (col("_breaks").cast(pl.Int64).cum_sum().over("product", "location") == 1)
            ).alias("_first")
        )
        .filter(col("_first"))
        .select(
            "_row",
            (col("date") + pl.duration(days=col("_cover_before").floor().cast(pl.Int64))).alias(
                "stock_out_from"
            ),
        )
        .collect()
    )
    out = pl.DataFrame({"_row": pl.Series(range(n), dtype=pl.UInt32)}).join(
        arrivals, on="_row", how="left"
    )
    return out.sort("_row")["stock_out_from"]


def projected_otif(
    outcomes: pl.DataFrame, projection: pl.DataFrame, period: dt.date
) -> dict[str, Any]:
    """Projected OTIF of the month `period` (kpis.md 8), gross, line grain.

    (measured OTIF lines + open lines on track or tight) / (measured lines + open lines), a line
    that is both measured (overdue) and open counted once, as measured.
    """
    col = pl.col
    month = outcomes.filter(col("period") == pl.lit(period, dtype=pl.Date)).join(
        projection.select("line_id", "risk"), on="line_id", how="left"
    )
    measured = month.filter(col("state") == "measured")
    open_only = month.filter((col("state") != "measured") & col("risk").is_not_null())
    good = (
        measured.filter(col("otif").fill_null(False)).height
        + open_only.filter(col("risk").is_in(["on_track", "tight"])).height
    )
    total = measured.height + open_only.height
    return {
        "period": period,
        "measured": measured.height,
        "open": open_only.height,
        "good": good,
        "total": total,
        "otif_pct": round(100.0 * good / total, 2) if total else None,
    }


def chain(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The milestones of one projection row that belong to its chain, for display and JSON."""
    has_batch = (
        any(
            row.get(f"{m}_planned") is not None or row.get(f"{m}_actual") is not None
            for m in BATCH_MILESTONES
        )
        or row.get("material_ready_projected") is not None
    )
    names = MILESTONES if has_batch else MILESTONES[4:]
    return [
        {
            "name": m,
            "area": MILESTONE_AREA[m],
            "planned": row.get(f"{m}_planned"),
            "actual": row.get(f"{m}_actual"),
            "projected": row.get(f"{m}_projected"),
            "slip_days": row.get(f"{m}_slip"),
        }
        for m in names
    ]
