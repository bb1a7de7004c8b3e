"""Batches, deviations, CAPAs and the weekly plan behind the demo's order lines.

`make_production(rows, products, end=..., seed=...)` takes the generator's flat line file with
its internal columns (`_line`, `_cause`: what made the line fail, `_late`: whether it failed
late) and returns the batch number of every delivery row and the production and quality
records, in the field names of `tower import batches|deviations|capas|plan`. Pure: no Django, no
clock, no files; the same input and seed give the same frames.

How the records hang together:
- Batches are made per product and site in two-week campaigns (tower.demo.days). A delivery that
  left on or before its line's planned ship date came from the batch of the campaign it shipped
  in, released before that campaign began.
- A line that failed late because of a batch (catalogue.BATCH_CAUSES: materials, planning,
  manufacturing, quality, the client's late API) shipped its late part from the late batch of
  the campaign it was planned in, and only such parts ship from a late batch. That batch was late
  for the line's reason - materials ready after the planned start (materials), started late
  (planning), finished late (manufacturing), released late (quality) - and the delays add up to
  its late release, which comes after the planned ship dates of its lines where the dates allow
  and never after its first delivery left.
- Deviations delay QC release, so they are raised on late batches only (a laboratory, process or
  equipment problem, now and then a rejected component): every batch with one is released late
  and is not right first time. Some late batches of laboratory or process problems replace a
  batch that was rejected for a major or critical deviation.
- Yield is mostly 92-100 %; a batch whose lines fell short for yield loss yielded 72-88 %.
- Batches for what is not yet shipped at `end` are pending: started or finished when their dates
  have come, never released while a late line waits for them, on hold while a deviation is open.
- The weekly plan (complete weeks only) is the planned output of the batches due for release in
  the week; the released quantity is the actual output of the batches released in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from tower.demo import days as cal
from tower.demo.catalogue import (
    BATCH_CAUSES,
    BATCH_LETTER,
    CAPAS,
    DEVIATIONS,
    GROUPS,
    PLANNED_YIELD,
    PRODUCTION_DAYS,
    QTY_STEP,
    STERILE,
)
from tower.engine import schemas as engine_schemas
from tower.engine.root_causes import AREA_BY_CODE

TEXT, DATE, NUMBER = pl.String(), pl.Date(), pl.Float64()
# The record files: the client, then the columns the engine's KPIs read (tower.engine.schemas).
BATCH_SCHEMA = {"client": TEXT, **engine_schemas.BATCH_SCHEMA}
DEVIATION_SCHEMA = {"client": TEXT, **engine_schemas.DEVIATION_SCHEMA}
CAPA_SCHEMA = {"client": TEXT, **engine_schemas.CAPA_SCHEMA}
PLAN_SCHEMA = {"client": TEXT, **engine_schemas.PLAN_SCHEMA}
BATCH_KEY = ["site", "product", "campaign", "late"]
# The four delays a late batch can have, in the order they happen.
SEGMENTS = ("materials", "planning", "manufacturing", "quality")


@dataclass
class Production:
    batch_of_row: pl.Series  # the batch of each row of `rows` (null for a row without delivery)
    batches: pl.DataFrame
    deviations: pl.DataFrame
    capas: pl.DataFrame
    plan: pl.DataFrame


def make_production(
    rows: pl.DataFrame, products: pl.DataFrame, *, end: dt.date, seed: int
) -> Production:
    # A stream of its own: the order lines do not change when this module does.
    rng = np.random.default_rng([seed, 1])
    end_day = cal.day(end)
    deliveries, needs = _batch_needs(rows)
    groups = _groups(needs, products)
    batches = _timelines(rng, groups, end_day)
    batches = pl.concat([batches, _rejected(rng, batches)], how="diagonal_relaxed")
    batches = _outputs(rng, batches)
    batches = _numbered(batches)
    deviations = _deviations(rng, batches, end_day)
    capas = _capas(rng, deviations, end_day)
    shipped_from = batches.filter(~pl.col("rejected")).select(*BATCH_KEY, "batch")
    batch_of_row = (
        rows.select("site", "product")
        .with_row_index("_row")
        .join(deliveries, on="_row", how="left", maintain_order="left")
        .join(shipped_from, on=BATCH_KEY, how="left", maintain_order="left")
        .get_column("batch")
    )
    return Production(
        batch_of_row=batch_of_row,
        batches=batches.sort("client", "planned_start", "batch").select(
            [pl.col(c).cast(t) for c, t in BATCH_SCHEMA.items()]
        ),
        deviations=deviations.select(list(DEVIATION_SCHEMA)).cast(DEVIATION_SCHEMA),
        capas=capas.select(list(CAPA_SCHEMA)).cast(CAPA_SCHEMA),
        plan=_plan(batches, end_day),
    )


# --- which batch each delivery and each open quantity comes from -------------------------------


def _batch_needs(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The batch key of every delivery row, and what each batch must supply: the quantities
    shipped from it and still to ship, with the causes of the lines behind them."""
    batch_cause = pl.col("_cause").is_in(BATCH_CAUSES).fill_null(False)
    day = {c: pl.col(c).cast(pl.Int32) for c in ("shipped_date", "planned_ship_date")}
    shipped = (
        rows.with_row_index("_row")
        .filter(pl.col("delivery_id").is_not_null())
        .with_columns(
            # The late part of a line a batch made late: shipped after the planned ship date.
            late=batch_cause & pl.col("_late") & (day["shipped_date"] > day["planned_ship_date"])
        )
        .with_columns(
            campaign=cal.campaign_expr(
                pl.when("late").then(day["planned_ship_date"]).otherwise(day["shipped_date"])
            ),
            shipped_qty=pl.col("delivered_qty"),
            open_qty=pl.lit(0.0),
            first_ship=day["shipped_date"],
            planned_ship=pl.when("late").then(day["planned_ship_date"]),
        )
    )
    lines = rows.group_by("_line", maintain_order=True).agg(
        pl.col("client", "product", "site", "_cause", "_late", "status", "ordered_qty").first(),
        day["planned_ship_date"].first().alias("planned_ship"),
        pl.col("delivered_qty").sum().alias("delivered"),
    )
    # What open lines still need comes from the batch of the campaign they are planned in.
    still_open = lines.filter(
        (pl.col("status") == "open") & (pl.col("ordered_qty") > pl.col("delivered"))
    ).with_columns(
        late=batch_cause & pl.col("_late"),
        campaign=cal.campaign_expr(pl.col("planned_ship")),
        shipped_qty=pl.lit(0.0),
        open_qty=pl.col("ordered_qty") - pl.col("delivered"),
        first_ship=pl.lit(None, pl.Int32),
    )
    columns = [
        "client",
        *BATCH_KEY,
        "_cause",
        "shipped_qty",
        "open_qty",
        "first_ship",
        "planned_ship",
    ]
    needs = pl.concat([shipped.select(columns), still_open.select(columns)], how="vertical_relaxed")
    return shipped.select("_row", "campaign", "late"), needs


def _groups(needs: pl.DataFrame, products: pl.DataFrame) -> pl.DataFrame:
    """One row per batch: quantities, first shipment, and what went wrong with it."""
    area = pl.col("_cause").replace_strict(AREA_BY_CODE, default=None)
    # A late batch is late for the reasons of its lines; the client's late API holds materials.
    reason = {
        "materials": (area == "materials") | (pl.col("_cause") == "CLI-SUPPLIED-LATE"),
        "planning": area == "planning",
        "manufacturing": area == "manufacturing",
        "quality": area == "quality",
    }
    cause = {c: (pl.col("_cause") == c).any() for c in DEVIATIONS}
    return (
        needs.group_by(BATCH_KEY)
        .agg(
            pl.col("client").first(),
            pl.col("shipped_qty").sum(),
            pl.col("open_qty").sum(),
            pl.col("first_ship").min(),
            pl.col("planned_ship").max().alias("last_planned_ship"),
            *[(e & pl.col("late")).fill_null(False).any().alias(k) for k, e in reason.items()],
            *[e.fill_null(False).alias(c) for c, e in cause.items()],
            (pl.col("_cause") == "MFG-YIELD").fill_null(False).any().alias("yield_loss"),
        )
        .join(
            products.select(pl.col("code").alias("product"), "product_group"),
            on="product",
            how="left",
        )
        .with_columns(group=pl.col("product_group").replace_strict(GROUPS, range(len(GROUPS))))
        .sort(BATCH_KEY)
    )


# --- dates -------------------------------------------------------------------------------------


def _timelines(rng, groups: pl.DataFrame, end_day: int) -> pl.DataFrame:
    """Planned and actual dates of every batch, and its disposition."""
    n = groups.height
    late = groups["late"].to_numpy()
    group = groups["group"].to_numpy()
    released = groups["first_ship"].is_not_null().to_numpy()
    first_ship = groups["first_ship"].fill_null(0).to_numpy()
    last_planned = groups["last_planned_ship"].fill_null(0).to_numpy()

    mfg_lo, mfg_hi, qc_lo, qc_hi = (
        np.array([PRODUCTION_DAYS[g][i][j] for g in GROUPS])[group] for i in (0, 1) for j in (0, 1)
    )
    mfg_days = rng.integers(mfg_lo, mfg_hi + 1)
    qc_days = rng.integers(qc_lo, qc_hi + 1)
    # Released on the Monday to Thursday before its campaign starts (the campaign is a Monday).
    planned_release = cal.campaign_start(groups["campaign"].to_numpy()) - rng.integers(4, 8, n)
    planned_end = planned_release - qc_days
    planned_start = planned_end - mfg_days

    # A late batch raises a deviation for a laboratory or process problem, often for an
    # equipment breakdown and now and then for a rejected component; it delays QC release.
    u = rng.random(n)
    flag = {c: groups[c].to_numpy() for c in DEVIATIONS}
    deviation = late & (
        flag["QC-DEVIATION"]
        | flag["MFG-PROCESS"]
        | (flag["MFG-EQUIPMENT"] & (u < 0.5))
        | (flag["MAT-COMPONENT-REJECTED"] & (u < 0.3))
    )
    present = np.column_stack([groups[s].to_numpy() for s in SEGMENTS]) & late[:, None]
    present[:, 3] |= deviation

    # How late: a shipped late batch was released after the last planned ship date of its lines
    # when it could be, never after its first delivery left (at least 4 days late: see above).
    # One that late lines still wait for is not released by the end date.
    release = first_ship - rng.integers(0, 2, n)
    release = np.maximum(release, np.minimum(first_ship, last_planned + 1))
    waiting = planned_release + rng.integers(5, 25, n)
    waiting = np.maximum(waiting, end_day + 1 + rng.integers(0, 10, n))
    delay = np.where(late, np.where(released, release, waiting) - planned_release, 0)
    split = _split(rng, delay, present)

    # An on-time batch was often released a day or three early (within its planned week).
    early = np.where(
        late, 0, np.minimum(rng.choice([0, 0, 1, 2, 3], n), cal.weekday(planned_release))
    )
    material_ready = np.where(
        split[:, 0] > 0, planned_start + split[:, 0], planned_start - rng.integers(2, 11, n)
    )
    actual_start = planned_start + split[:, 0] + split[:, 1] - early
    actual_end = actual_start + mfg_days + split[:, 2]
    actual_release = actual_end + qc_days + split[:, 3]

    reworked = late & flag["MFG-PROCESS"] & (rng.random(n) < 0.4)
    is_released = actual_release <= end_day
    # Deviations happen in the phase of their area; an open one puts a finished batch on hold.
    deviation_area = np.where(
        flag["QC-DEVIATION"],
        "quality",
        np.where(flag["MFG-PROCESS"] | flag["MFG-EQUIPMENT"], "manufacturing", "materials"),
    )
    opened = np.select(
        [deviation_area == "quality", deviation_area == "manufacturing"],
        [
            actual_end + rng.integers(0, np.maximum(qc_days // 2, 1)),
            actual_start + rng.integers(0, mfg_days),
        ],
        planned_start - rng.integers(0, 4, n),
    )
    deviation &= opened <= end_day
    disposition = np.where(
        is_released,
        np.where(reworked, "reworked", "released"),
        np.where((actual_end <= end_day) & deviation, "on_hold", ""),
    )

    def past(days: np.ndarray) -> pl.Series:
        return pl.select(pl.when(pl.Series(days <= end_day)).then(cal.dates(days))).to_series()

    return groups.with_columns(
        planned_start=cal.dates(planned_start),
        actual_start=past(actual_start),
        planned_end=cal.dates(planned_end),
        actual_end=past(actual_end),
        material_ready_date=past(material_ready),
        planned_release_date=cal.dates(planned_release),
        actual_release_date=past(actual_release),
        disposition=pl.Series(disposition.astype(str)),
        deviation=pl.Series(deviation),
        deviation_area=pl.Series(deviation_area.astype(str)),
        deviation_opened=cal.dates(opened),
        qc_days=pl.Series(qc_days),
        rejected=pl.lit(False),
    )


def _split(rng, delay: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Share `delay` days out over the segments present: at least one day each, the rest in
    random proportions (delay >= number of segments present wherever delay > 0)."""
    count = present.sum(axis=1)
    weight = present * rng.uniform(0.5, 1.5, present.shape)
    total = np.maximum(weight.sum(axis=1), 1e-9)
    extra = np.maximum(delay - count, 0)
    split = present * 1 + np.floor(extra[:, None] * weight / total[:, None]).astype(np.int64)
    last = np.where(present.any(axis=1), present.shape[1] - 1 - np.argmax(present[:, ::-1], 1), 0)
    split[np.arange(len(delay)), last] += np.where(present.any(axis=1), delay - split.sum(1), 0)
    return split


def _rejected(rng, batches: pl.DataFrame) -> pl.DataFrame:
    """A rejected first attempt for a fifth of the released late batches of laboratory or
    process problems: made on plan, rejected for a major or critical deviation a few days after
    its planned release, and replaced by the late batch."""
    late = batches.filter(
        pl.col("late")
        & (pl.col("QC-DEVIATION") | pl.col("MFG-PROCESS"))
        & pl.col("disposition").is_in(["released", "reworked"])
    )
    chosen = late.filter(pl.Series(rng.random(late.height) < 0.2))
    start = chosen["planned_start"].cast(pl.Int32).to_numpy()
    end = chosen["planned_end"].cast(pl.Int32).to_numpy()
    release = chosen["planned_release_date"].cast(pl.Int32).to_numpy()
    area = np.where(chosen["QC-DEVIATION"].to_numpy(), "quality", "manufacturing")
    opened = np.where(
        area == "quality",
        end + rng.integers(1, 4, chosen.height),
        start + rng.integers(0, np.maximum(end - start, 1)),
    )
    return chosen.with_columns(
        rejected=pl.lit(True),
        shipped_qty=pl.col("shipped_qty") + pl.col("open_qty"),
        open_qty=pl.lit(0.0),
        actual_start=pl.col("planned_start"),
        actual_end=pl.col("planned_end"),
        material_ready_date=cal.dates(start - rng.integers(2, 11, chosen.height)),
        actual_release_date=cal.dates(release + rng.integers(1, 4, chosen.height)),
        disposition=pl.lit("rejected"),
        deviation=pl.lit(True),
        deviation_area=pl.Series(area.astype(str)),
        deviation_opened=cal.dates(opened),
        yield_loss=pl.lit(False),
    )


# --- quantities and numbers ----------------------------------------------------------------------


def _outputs(rng, batches: pl.DataFrame) -> pl.DataFrame:
    """Batch size and output: enough for what ships from it plus some stock; yield mostly
    92-100 %, low now and then, 72-88 % when its lines fell short for yield loss."""
    n = batches.height
    step = np.array([QTY_STEP[g] for g in GROUPS])[batches["group"].to_numpy()]
    need = (batches["shipped_qty"] + batches["open_qty"]).to_numpy()
    output = np.maximum(np.ceil(need * rng.uniform(1.0, 1.1, n) / step), 1) * step
    yield_ = np.clip(rng.normal(0.972, 0.015, n), 0.92, 1.0)
    yield_ = np.where(rng.random(n) < 0.03, rng.uniform(0.84, 0.92, n), yield_)
    yield_ = np.where(batches["yield_loss"].to_numpy(), rng.uniform(0.72, 0.88, n), yield_)
    theoretical = np.ceil(output / yield_ / step) * step
    made = batches["actual_end"].is_not_null()
    return batches.with_columns(
        theoretical_output=pl.Series(theoretical),
        actual_output=pl.when(made).then(pl.Series(output)),
    )


def _numbered(batches: pl.DataFrame) -> pl.DataFrame:
    """Batch numbers like C25-0042: the site's letter, the year it starts, a serial in order of
    planned start within site and year (a rejected batch just before its replacement)."""
    year = pl.col("planned_start").dt.year()
    return batches.sort(
        "site",
        "planned_start",
        "product",
        "late",
        "rejected",
        descending=[False, False, False, False, True],
    ).with_columns(
        batch=pl.concat_str(
            pl.col("site").replace_strict(BATCH_LETTER),
            (year % 100).cast(pl.String).str.zfill(2),
            pl.lit("-"),
            pl.int_range(1, pl.len() + 1).over("site", year).cast(pl.String).str.zfill(4),
        )
    )


# --- deviations and CAPAs ------------------------------------------------------------------------


def _deviations(rng, batches: pl.DataFrame, end_day: int) -> pl.DataFrame:
    """One deviation per batch that has one: mostly minor, some major; major or critical for a
    rejected batch. Closed before release; still open on a batch on hold."""
    rows = batches.filter("deviation")
    n = rows.height
    u = rng.random(n)
    rejected = rows["rejected"].to_numpy()
    severity = np.where(
        rejected,
        np.where(u < 0.4, "critical", "major"),
        np.where(u < 0.7, "minor", "major"),
    )
    opened = rows["deviation_opened"].cast(pl.Int32).to_numpy()
    release = rows["actual_release_date"].cast(pl.Int32).fill_null(end_day + 1).to_numpy()
    # Closed before the batch was released (on the day it was rejected); open while it waits.
    closed = np.where(rejected, release, np.maximum(release - rng.integers(0, 3, n), opened))
    closed = np.where(release <= end_day, closed, end_day + 1)
    code = np.select(
        [
            rows["deviation_area"].to_numpy() == "quality",
            rows["MFG-PROCESS"].to_numpy(),
            rows["deviation_area"].to_numpy() == "manufacturing",
        ],
        ["QC-DEVIATION", "MFG-PROCESS", "MFG-EQUIPMENT"],
        "MAT-COMPONENT-REJECTED",
    )
    sterile = rows["group"].to_numpy() >= GROUPS.index(STERILE)
    titles = {c: (t[2], t[3]) for c, t in DEVIATIONS.items()}
    pick = rng.integers(0, 3, n)
    title = [
        titles[c][s][p % len(titles[c][s])]
        for c, s, p in zip(code, sterile.astype(int), pick, strict=True)
    ]
    frame = rows.select("client", "batch", "site", "deviation_opened").with_columns(
        opened_date=pl.col("deviation_opened"),
        closed_date=pl.select(
            pl.when(pl.Series(closed <= end_day)).then(cal.dates(closed))
        ).to_series(),
        severity=pl.Series(severity.astype(str)),
        category=pl.Series([DEVIATIONS[c][1] for c in code], dtype=pl.String),
        area=pl.Series([DEVIATIONS[c][0] for c in code], dtype=pl.String),
        title=pl.Series(title, dtype=pl.String),
    )
    year = pl.col("opened_date").dt.year()
    return frame.sort("site", "opened_date", "batch").with_columns(
        deviation=pl.concat_str(
            pl.lit("DV-"),
            pl.col("site").replace_strict(BATCH_LETTER),
            (year % 100).cast(pl.String).str.zfill(2),
            pl.lit("-"),
            pl.int_range(1, pl.len() + 1).over("site", year).cast(pl.String).str.zfill(4),
        )
    )


def _capas(rng, deviations: pl.DataFrame, end_day: int) -> pl.DataFrame:
    """A CAPA for every major or critical deviation and half the minor ones, due 6 to 16 weeks
    after it opened: most closed on time, some late, a few still open."""
    major = deviations["severity"].to_numpy() != "minor"
    rows = deviations.filter(pl.Series(major | (rng.random(deviations.height) < 0.5)))
    n = rows.height
    opened = rows["opened_date"].cast(pl.Int32).to_numpy()
    due = cal.snap(opened + rng.integers(42, 113, n), forward=True)
    u = rng.random(n)
    on_time = np.maximum(due - rng.integers(0, 30, n), opened + 7)
    late = due + rng.integers(1, 41, n)
    closed = np.where(
        due <= end_day,
        np.where(u < 0.86, on_time, np.where(u < 0.96, late, -1)),
        np.where(u < 0.4, on_time, -1),
    )
    closed = np.where(closed > end_day, -1, closed)
    titles = [
        CAPAS[c][p % len(CAPAS[c])]
        for c, p in zip(rows["category"], rng.integers(0, 3, n), strict=True)
    ]
    year = pl.col("opened_date").dt.year()
    return (
        rows.select("client", "deviation", "opened_date")
        .with_columns(
            title=pl.Series(titles, dtype=pl.String),
            due_date=cal.dates(due),
            closed_date=pl.select(
                pl.when(pl.Series(closed >= 0)).then(cal.dates(closed))
            ).to_series(),
        )
        .sort("opened_date", "deviation")
        .with_columns(
            capa=pl.concat_str(
                pl.lit("CAPA-"),
                (year % 100).cast(pl.String).str.zfill(2),
                pl.lit("-"),
                pl.int_range(1, pl.len() + 1).over(year).cast(pl.String).str.zfill(4),
            )
        )
    )


# --- the weekly plan -----------------------------------------------------------------------------


def _plan(batches: pl.DataFrame, end_day: int) -> pl.DataFrame:
    """Planned and released quantity per product, site and complete week. A rejected batch and
    its replacement are one planned batch: the plan counts the replacement."""
    step = pl.col("group").replace_strict(range(len(GROUPS)), [QTY_STEP[g] for g in GROUPS])
    # The week's plan is frozen once production starts: a batch whose start slipped (materials
    # late, no capacity) was planned again for the week it could then be released, but a slip
    # in manufacturing or QC counts against the week it was planned for.
    start_slip = (pl.col("actual_start") - pl.col("planned_start")).dt.total_days().clip(0)
    due = pl.col("planned_release_date") + pl.duration(days=start_slip.fill_null(0))
    planned = (
        batches.filter(~pl.col("rejected"))
        .group_by("client", "product", "site", _monday(due).alias("week"))
        .agg(
            ((pl.col("theoretical_output") * PLANNED_YIELD / step).round() * step)
            .sum()
            .alias("planned_qty")
        )
    )
    released = (
        batches.filter(pl.col("disposition").is_in(["released", "reworked"]))
        .group_by("client", "product", "site", _monday(pl.col("actual_release_date")).alias("week"))
        .agg(pl.col("actual_output").sum().alias("released_qty"))
    )
    last_week = cal.dates(cal.monday(np.array([end_day - 6])))[0]
    return (
        planned.join(released, on=["client", "product", "site", "week"], how="full", coalesce=True)
        .with_columns(pl.col("planned_qty", "released_qty").fill_null(0.0))
        .filter(pl.col("week") <= last_week)
        .sort("client", "product", "site", "week")
        .select(list(PLAN_SCHEMA))
        .cast(PLAN_SCHEMA)
    )


def _monday(date: pl.Expr) -> pl.Expr:
    return date - pl.duration(days=date.dt.weekday() - 1)
