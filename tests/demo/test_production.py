"""The demo's batches, deviations, CAPAs and plan agree with its order lines (tower.demo.production).

Each rule is checked record by record on the small demo set: a reader can take any failing row
and follow it by hand from the line to its delivery, batch, deviation and CAPA.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.demo.conftest import END
from tower.demo.catalogue import BATCH_CAUSES
from tower.engine import scorecard
from tower.engine.root_causes import AREA_BY_CODE
from tower.ingest.specs import BATCHES, CAPAS, DEVIATIONS, PLAN

KEY = ["client", "order", "line"]
LATE = pl.col("actual_release_date") > pl.col("planned_release_date")
# How a batch shows that it was late for each area of cause.
LATE_FOR = {
    "materials": pl.col("material_ready_date") > pl.col("planned_start"),
    "planning": pl.col("actual_start") > pl.col("planned_start"),
    "manufacturing": pl.col("actual_end") > pl.col("planned_end"),
    "quality": pl.col("actual_release_date") > pl.col("planned_release_date"),
}


@pytest.fixture(scope="module")
def shipped(demo):
    """Every delivery row with its batch."""
    return demo.rows.filter(pl.col("delivery_id").is_not_null()).join(
        demo.batches.select(
            "client",
            "batch",
            pl.col("product").alias("batch_product"),
            pl.col("site").alias("batch_site"),
            *(c for c in demo.batches.columns if c.endswith(("_date", "start", "end"))),
            "disposition",
        ),
        on=["client", "batch"],
        how="left",
    )


@pytest.fixture(scope="module")
def last_batch(demo, shipped):
    """Each line's last delivery and the batch it came from."""
    return shipped.sort("delivered_date", "delivery_id").group_by(KEY).last()


def test_records_use_the_import_field_names(demo):
    assert demo.batches.columns == list(BATCHES.names)
    assert demo.deviations.columns == list(DEVIATIONS.names)
    assert demo.capas.columns == list(CAPAS.names)
    assert demo.plan.columns == list(PLAN.names)
    assert demo.batches.select("client", "batch").is_unique().all()
    assert demo.deviations.select("client", "deviation").is_unique().all()
    assert demo.capas.select("client", "capa").is_unique().all()
    assert demo.plan.select("client", "product", "site", "week").is_unique().all()


def test_every_product_has_batches_and_every_delivery_a_batch_of_its_product(demo, shipped):
    assert shipped["batch"].null_count() == 0
    assert shipped["batch_product"].null_count() == 0  # the batch exists for the client
    assert (shipped["batch_product"] == shipped["product"]).all()
    assert (shipped["batch_site"] == shipped["site"]).all()
    assert set(demo.batches["product"]) == set(demo.rows["product"])


def test_nothing_ships_before_its_batch_is_released(shipped):
    assert shipped["disposition"].is_in(["released", "reworked"]).all()
    assert (shipped["shipped_date"] >= shipped["actual_release_date"]).all()


def test_a_line_late_for_a_batch_cause_ships_from_a_batch_late_for_that_reason(
    demo, judged, last_batch
):
    late = (
        judged.filter(pl.col("measured") & (pl.col("days_late") > 0))
        .select(KEY)
        .join(demo.root_causes.select(*KEY, "code"), on=KEY)
        .filter(pl.col("code").is_in(BATCH_CAUSES))
        .join(last_batch, on=KEY)
        .with_columns(
            area=pl.when(pl.col("code") == "CLI-SUPPLIED-LATE")
            .then(pl.lit("materials"))
            .otherwise(pl.col("code").replace_strict(AREA_BY_CODE))
        )
    )
    for area, late_for in LATE_FOR.items():
        lines = late.filter(pl.col("area") == area)
        assert lines.height >= 5, area
        assert lines.select(late_for & LATE).to_series().all(), area
        # The batch was released after the line should have shipped (the dates allowed it).
        released_after = lines["actual_release_date"] > lines["planned_ship_date"]
        assert released_after.mean() > 0.8, area


def test_only_late_lines_ship_from_late_batches(demo, judged, shipped):
    from_late = shipped.filter(LATE).select(KEY).unique().join(judged, on=KEY)
    assert from_late.height > 0
    assert (from_late["days_late"] > 0).all()
    late_batches = demo.batches.filter(LATE & pl.col("disposition").is_in(["released", "reworked"]))
    on_time = demo.batches.filter(~LATE)
    assert 0.05 < late_batches.height / (late_batches.height + on_time.height) < 0.25


def test_a_line_short_for_yield_loss_comes_from_a_low_yield_batch(demo, judged, shipped):
    short = (
        judged.filter(pl.col("kind") == "short")
        .join(demo.root_causes.filter(pl.col("code") == "MFG-YIELD"), on=KEY)
        .select(KEY)
    )
    batches = shipped.join(short, on=KEY).select("client", "batch").unique()
    assert batches.height > 0
    yields = batches.join(demo.batches, on=["client", "batch"]).select(
        pl.col("actual_output") / pl.col("theoretical_output")
    )
    assert (yields.to_series() < 0.9).all()


def test_yield_is_mostly_92_to_100_percent(demo):
    made = demo.batches.drop_nulls("actual_output")
    yields = made["actual_output"] / made["theoretical_output"]
    assert yields.max() <= 1.0
    assert ((yields >= 0.92) & (yields <= 1.0)).mean() > 0.85
    assert (yields < 0.92).sum() > 0


def test_dispositions_mostly_released_recent_ones_pending(demo):
    batches = demo.batches
    counts = dict(batches["disposition"].value_counts().iter_rows())
    assert counts["released"] / batches.height > 0.9
    assert counts.get("reworked", 0) >= 1 and counts.get("rejected", 0) >= 1
    pending = batches.filter(pl.col("disposition").is_in(["", "on_hold"]))
    assert pending.height > 0
    assert pending["actual_release_date"].null_count() == pending.height
    assert pending["planned_release_date"].min() >= END - dt.timedelta(days=120)
    # Nothing has happened after the end date.
    for column in ("actual_start", "actual_end", "material_ready_date", "actual_release_date"):
        assert batches[column].drop_nulls().max() <= END
    assert (batches["planned_start"] <= batches["planned_end"]).all()
    assert (batches["planned_end"] <= batches["planned_release_date"]).all()
    done = batches.drop_nulls("actual_end")
    assert (done["actual_start"] <= done["actual_end"]).all()


def test_a_rejected_batch_ships_nothing_and_has_a_serious_deviation(demo, shipped):
    rejected = demo.batches.filter(pl.col("disposition") == "rejected")
    assert rejected.join(shipped, on=["client", "batch"]).height == 0
    severity = rejected.join(demo.deviations, on=["client", "batch"])["severity"]
    assert severity.len() == rejected.height
    assert severity.is_in(["major", "critical"]).all()


def test_deviations_delay_release_and_break_right_first_time(demo):
    batches = demo.batches.with_columns(
        has_deviation=pl.col("batch").is_in(demo.deviations["batch"].implode())
    )
    with_deviation = batches.filter("has_deviation")
    released = with_deviation.filter(pl.col("disposition").is_in(["released", "reworked"]))
    assert released.height > 0 and released.select(LATE).to_series().all()
    assert (
        with_deviation.filter(pl.col("disposition") == "").height
        == with_deviation.filter(
            pl.col("actual_release_date").is_null() & (pl.col("disposition") == "")
        ).height
    )
    joined = demo.deviations.join(batches, on=["client", "batch"])
    assert joined.height == demo.deviations.height  # every deviation's batch exists
    assert (joined["opened_date"] <= joined["closed_date"].fill_null(END)).all()
    closed_before_release = joined.filter(pl.col("disposition").is_in(["released", "reworked"]))
    assert (
        closed_before_release["closed_date"] <= closed_before_release["actual_release_date"]
    ).all()
    on_hold = joined.filter(pl.col("disposition") == "on_hold")
    assert on_hold["closed_date"].null_count() == on_hold.height
    completed = dt.date(2025, 1, 1), END
    rows, measure = scorecard.right_first_time(
        batches.with_columns(deviations=pl.col("has_deviation").cast(pl.Int64)), *completed
    )
    assert 85 < measure.value < 100


def test_incidents_are_a_few_per_hundred_batches_mostly_minor(demo):
    deviations = demo.deviations
    per_hundred = deviations.height / demo.batches.height * 100
    assert 1 <= per_hundred <= 10
    shares = dict(deviations["severity"].value_counts(normalize=True).iter_rows())
    assert shares["minor"] > 0.5
    assert set(shares) <= {"minor", "major", "critical"}
    assert set(deviations["area"]) <= {"materials", "manufacturing", "quality"}
    critical = deviations.filter(pl.col("severity") == "critical").join(
        demo.batches, on=["client", "batch"]
    )
    assert (critical["disposition"] == "rejected").all()


def test_capas_follow_deviations_mostly_closed_on_time(demo):
    capas = demo.capas.join(
        demo.deviations.select("client", "deviation", "severity", "opened_date"),
        on=["client", "deviation"],
        how="left",
    )
    assert capas["severity"].null_count() == 0  # every CAPA's deviation exists
    serious = demo.deviations.filter(pl.col("severity") != "minor")
    assert serious.join(capas, on=["client", "deviation"], how="anti").height == 0
    assert (capas["due_date"] > capas["opened_date"]).all()
    assert capas["closed_date"].drop_nulls().max() <= END
    due = capas.filter(pl.col("due_date") <= END)
    on_time = (due["closed_date"] <= due["due_date"]).fill_null(False)
    assert 0.6 < on_time.mean() < 1.0
    assert capas["closed_date"].null_count() > 0  # some still open


def test_plan_weeks_are_complete_weeks_released_as_the_batches_were(demo):
    plan = demo.plan
    assert (plan["week"].dt.weekday() == 1).all()
    assert plan["week"].max() <= END - dt.timedelta(days=6)
    released = (
        demo.batches.filter(pl.col("disposition").is_in(["released", "reworked"]))
        .with_columns(week=pl.col("actual_release_date").dt.truncate("1w"))
        .filter(pl.col("week") <= plan["week"].max())
        .group_by("client", "product", "site", "week")
        .agg(pl.col("actual_output").sum())
    )
    compared = plan.filter(pl.col("released_qty") > 0).join(
        released, on=["client", "product", "site", "week"], how="full", coalesce=True
    )
    assert (compared["released_qty"] == compared["actual_output"]).all()
    _, adherence = scorecard.schedule_adherence(plan, dt.date(2025, 1, 1), END, END)
    assert 80 < adherence.value < 98


def test_lines_ship_on_their_planned_date_unless_something_went_wrong(demo, judged):
    lines = demo.rows.unique(KEY)
    assert lines["planned_ship_date"].null_count() == 0
    assert (lines["planned_ship_date"] < lines["committed_date"]).all()
    shipped = demo.rows.filter(pl.col("delivery_id").is_not_null())
    on_plan = shipped["shipped_date"] <= shipped["planned_ship_date"]
    assert 0.85 < on_plan.mean() < 0.97
    good = shipped.join(judged.filter("otif").select(KEY), on=KEY)
    assert (good["shipped_date"] <= good["planned_ship_date"]).all()
