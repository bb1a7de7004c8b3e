"""The demo's forward half (tower.demo.early_warning): the batches' stories hand-computed, the
plan of a few open lines checked rule by rule, and the demo's records as the imports stored them."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tower.demo.early_warning import (
    OPEN_LINE_SCHEMA,
    _actuals,
    plan_open_lines,
)

D = dt.date
T = D(2026, 6, 15)


def batch(story: str, start: dt.date) -> dict:
    end = start + dt.timedelta(days=5)
    return {
        "batch": story,
        "story": story,
        "planned_start": start,
        "planned_end": end,
        "planned_release_date": end + dt.timedelta(days=7),
        "_late": 5,
        "_overrun": 4,
    }


def test_each_story_gives_the_dates_known_on_t():
    stories = ["on_plan", "material_late", "production_overrun", "qc_hold", "rejected"]
    frame = pl.DataFrame(
        [batch(s, D(2026, 6, 1)) for s in stories] + [batch("future", D(2026, 6, 20))]
    )
    got = {
        row["batch"]: (
            row["material_ready_date"],
            row["actual_start"],
            row["actual_end"],
            row["actual_release_date"],
            row["disposition"],
        )
        for row in _actuals(
            frame.with_columns(pl.col("story").replace("future", "on_plan")), T
        ).to_dicts()
    }
    # Planned: start 06-01, end 06-06, release 06-13; materials 3 days ahead; T = 06-15.
    assert got == {
        "on_plan": (D(2026, 5, 29), D(2026, 6, 1), D(2026, 6, 6), D(2026, 6, 13), "released"),
        # Materials 5 days late: start 06-06, end 06-11, QC due 06-18 (after T): not decided.
        "material_late": (D(2026, 6, 6), D(2026, 6, 6), D(2026, 6, 11), None, ""),
        # Made in 5 + 4 days: end 06-10, QC due 06-17: not decided.
        "production_overrun": (D(2026, 5, 29), D(2026, 6, 1), D(2026, 6, 10), None, ""),
        # Made on time, on hold since 06-09: no release date.
        "qc_hold": (D(2026, 5, 29), D(2026, 6, 1), D(2026, 6, 6), None, "on_hold"),
        "rejected": (D(2026, 5, 29), D(2026, 6, 1), D(2026, 6, 6), D(2026, 6, 13), "rejected"),
        # Planned start 06-20: materials due 06-17, after T: nothing known yet.
        "future": (None, None, None, None, ""),
    }


def open_lines() -> pl.DataFrame:
    rows = []
    for n in range(40):
        client = "ACME" if n % 2 else "BETA"
        ship = T + dt.timedelta(days=n - 12)
        rows.append(
            {
                "client": client,
                "order": f"SO-{n:03d}",
                "line": "1",
                "product": f"{client}-P{n % 3}",
                "site": "EU1",
                "ship_to": f"{client} DC {n % 2}",
                "ordered_qty": 100.0 + n,
                "committed_date": ship + dt.timedelta(days=5),
                "planned_ship_date": ship,
                "delivered_qty": 30.0 if n == 7 else None,
            }
        )
    return pl.DataFrame(rows, schema=OPEN_LINE_SCHEMA)


@pytest.fixture(scope="module")
def plan():
    return plan_open_lines(open_lines(), today=T, seed=11)


def test_the_same_seed_gives_the_same_plan(plan):
    again = plan_open_lines(open_lines(), today=T, seed=11)
    assert again.batches.equals(plan.batches) and again.in_transit.equals(plan.in_transit)


def test_every_batched_line_names_a_batch_of_its_client_and_product(plan):
    lines = open_lines()
    named = plan.planned.drop_nulls("planned_batch").join(lines, on=["client", "order", "line"])
    batches = plan.batches.select("client", pl.col("batch").alias("planned_batch"), "product")
    assert named.join(batches, on=["client", "planned_batch", "product"], how="anti").is_empty()
    assert plan.planned.height == lines.height  # every open line, batched or not
    assert 0 < plan.planned["planned_batch"].null_count() < lines.height / 3


def test_planned_dates_follow_the_default_lead_times_back_from_the_first_ship_date(plan):
    lines = open_lines().join(plan.planned, on=["client", "order", "line"])
    first_ship = lines.group_by(pl.col("planned_batch").alias("batch")).agg(
        pl.col("planned_ship_date").min()
    )
    checked = plan.batches.join(first_ship, on="batch")
    assert checked.height == plan.batches.height
    for row in checked.to_dicts():
        assert row["planned_release_date"] == row["planned_ship_date"] - dt.timedelta(days=2)
        assert row["planned_end"] == row["planned_release_date"] - dt.timedelta(days=7)
        assert row["planned_start"] == row["planned_end"] - dt.timedelta(days=5)


def test_no_actual_date_lies_after_t_and_exactly_one_batch_is_rejected(plan):
    actual = ["material_ready_date", "actual_start", "actual_end", "actual_release_date"]
    for column in actual:
        assert (plan.batches[column].drop_nulls() <= T).all(), column
    assert plan.batches.filter(pl.col("disposition") == "rejected").height == 1
    assert set(plan.stories["story"]) >= {"on_plan", "rejected"}


def test_shipments_in_transit_come_from_released_batches_and_carry_what_remains(plan):
    released = plan.batches.filter(pl.col("disposition") == "released")
    transit = plan.in_transit.join(open_lines(), on=["client", "order", "line"])
    assert transit.height > 0
    assert set(transit["batch"]) <= set(released["batch"])
    assert (transit["shipped_date"] <= T).all() and (transit["committed_date"] >= T).all()
    assert (transit["shipped_date"] >= transit["planned_ship_date"]).all()
    remaining = transit["ordered_qty"] - transit["delivered_qty_right"].fill_null(0.0)
    assert (transit["delivered_qty"] == remaining).all()


def test_stock_covers_until_a_few_days_after_the_first_due_line(plan):
    stock = plan.stock
    assert stock.height == 2 * 2 * 2  # 2 clients x 2 products x 2 counts a week apart
    latest = stock.filter(pl.col("date") == T - dt.timedelta(days=1))
    lines = open_lines()
    for row in latest.to_dicts():
        mine = lines.filter(
            (pl.col("client") == row["client"])
            & (pl.col("product") == row["product"])
            & (pl.col("ship_to") == row["location"])
        )
        demand = max(round(mine["ordered_qty"].sum() / 42, 1), 1.0)
        days_left = max((mine["committed_date"].min() - (T - dt.timedelta(days=1))).days, 0) + 4
        assert row["daily_demand"] == demand
        assert row["on_hand"] == round(demand * days_left)
    earlier = stock.filter(pl.col("date") == T - dt.timedelta(days=8))
    assert (earlier["on_hand"] > latest["on_hand"]).all()


def test_a_few_lines_due_soon_are_left_without_any_plan():
    """Per client the first two lines (by order and line) without batch or shipment, due
    within 10 days of T, lose their planned ship date; a batched line, a shipped one and one
    due later keep theirs."""
    from tower.demo.early_warning import without_plan

    t = dt.date(2026, 12, 3)
    day = lambda n: t + dt.timedelta(days=n)  # noqa: E731
    rows = [
        # client, order, line, committed, planned ship, batch, shipped
        ("A", "O1", "1", day(3), day(1), None, None),  # unplanned (first)
        ("A", "O1", "2", day(4), day(2), "B-1", None),  # batched: keeps it
        ("A", "O2", "1", day(5), day(3), None, day(0)),  # shipped: keeps it
        ("A", "O3", "1", day(6), day(4), None, None),  # unplanned (second)
        ("A", "O4", "1", day(7), day(5), None, None),  # a third: keeps it
        ("A", "O5", "1", day(11), day(9), None, None),  # due after 10 days: keeps it
        ("B", "O9", "1", day(10), day(8), None, None),  # unplanned (B's first)
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            "client": pl.String,
            "order": pl.String,
            "line": pl.String,
            "committed_date": pl.Date,
            "planned_ship_date": pl.Date,
            "planned_batch": pl.String,
            "shipped_date": pl.Date,
        },
        orient="row",
    )
    out = without_plan(frame, t)
    unplanned = out.filter(pl.col("planned_ship_date").is_null()).select("client", "order")
    assert unplanned.rows() == [("A", "O1"), ("A", "O3"), ("B", "O9")]
    assert out.height == frame.height
