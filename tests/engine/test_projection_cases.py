"""Hand-computed projection cases (kpis.md section 8), one rule per test.

Unless a test says otherwise: T = 2026-06-01, one line of 100 units committed (= due) on the date
given, default definition (measured at delivery, no grace), default settings (production 5 days,
release 7, ship 2, transit 5, tight 2, horizon 14). Every case is also checked against the slow
reference (tests/engine/projection_reference.py), so both readings of the spec agree on it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tower.engine import OtifDefinition
from tower.engine.projection import (
    PROJECTION_SCHEMA,
    ProjectionSettings,
    SettingsError,
    chain,
    project,
    projected_otif,
)

from .projection_reference import (
    make_batches,
    make_deliveries,
    make_lines,
    make_stock,
    reference_project,
)

T = dt.date(2026, 6, 1)


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def run(
    lines: list[dict],
    deliveries: list[dict] = (),
    batches: list[dict] = (),
    *,
    definition: OtifDefinition | None = None,
    settings: ProjectionSettings | None = None,
    stock: list[dict] | None = None,
    as_of: dt.date = T,
) -> dict[int, dict]:
    definition = definition or OtifDefinition()
    settings = settings or ProjectionSettings()
    frames = (make_lines(lines), make_deliveries(list(deliveries)), make_batches(list(batches)))
    stock_frame = make_stock(stock) if stock is not None else None
    out = project(*frames, definition, as_of, settings, stock=stock_frame)
    assert dict(out.schema) == PROJECTION_SCHEMA
    rows = out.to_dicts()
    assert rows == reference_project(*frames, definition, as_of, settings, stock_frame)
    return {row["line_id"]: row for row in rows}


def one(line: dict | None = None, **kw) -> dict:
    rows = run([{"line_id": 1, **(line or {})}], **kw)
    assert list(rows) == [1]
    return rows[1]


def batch(**fields) -> dict:
    return {"batch": "B1", **fields}


def test_every_batch_milestone_known_then_ship_and_arrival_on_plan():
    b = batch(
        planned_start=d(5, 1),
        material_ready_date=d(4, 30),
        actual_start=d(5, 1),
        planned_end=d(5, 6),
        actual_end=d(5, 6),
        planned_release_date=d(5, 13),
        actual_release_date=d(5, 13),
        disposition="released",
    )
    row = one(
        {"committed_date": d(6, 20), "planned_batch": "B1", "planned_ship_date": d(6, 3)},
        batches=[b],
    )
    assert row["material_ready_actual"] == d(4, 30)
    assert row["material_ready_projected"] == d(4, 30)
    assert row["qc_release_projected"] == d(5, 13)
    assert row["ship_planned"] == row["ship_projected"] == d(6, 3)
    assert row["arrival_planned"] == row["arrival_projected"] == d(6, 8)  # + default transit 5
    assert [row[f"{m}_slip"] for m in ("material_ready", "qc_release", "ship", "arrival")] == [
        0,
        0,
        0,
        0,
    ]
    assert row["risk"] == "on_track"  # 6-20 - 6-08 = 12 days > tight 2
    assert row["projected_date"] == d(6, 8)
    assert row["projected_days_late"] is None and row["cause_milestone"] is None
    assert [m["name"] for m in chain(row)] == [
        "material_ready",
        "production_start",
        "production_end",
        "qc_release",
        "ship",
        "arrival",
    ]


def test_slip_is_carried_down_the_chain_and_the_biggest_step_is_the_cause():
    # Production ended 2 days late; QC release planned 5-25 is still on hold at T = 6-01: it is
    # projected today, 7 days late, and ship and arrival carry the 7 days.
    b = batch(
        planned_start=d(5, 10),
        material_ready_date=d(5, 10),
        actual_start=d(5, 10),
        planned_end=d(5, 18),
        actual_end=d(5, 20),
        planned_release_date=d(5, 25),
        disposition="on_hold",
    )
    row = one(
        {"committed_date": d(6, 5), "planned_batch": "B1", "planned_ship_date": d(5, 28)},
        batches=[b],
    )
    assert row["production_end_slip"] == 2
    assert row["qc_release_projected"] == T and row["qc_release_slip"] == 7
    assert row["ship_projected"] == d(6, 4) and row["ship_slip"] == 7
    assert row["arrival_planned"] == d(6, 2)
    assert row["arrival_projected"] == d(6, 9) and row["arrival_slip"] == 7
    assert row["risk"] == "late" and row["projected_days_late"] == 4
    # increments: production end +2, QC release +5: quality
    assert (row["cause_milestone"], row["cause_area"]) == ("qc_release", "quality")


def test_slip_is_absorbed_by_an_early_next_step():
    b = batch(
        planned_start=d(5, 10),
        actual_start=d(5, 10),
        material_ready_date=d(5, 9),
        planned_end=d(5, 18),
        actual_end=d(5, 22),
        planned_release_date=d(5, 29),
        actual_release_date=d(5, 27),
        disposition="released",
    )
    row = one(
        {"committed_date": d(6, 10), "planned_batch": "B1", "planned_ship_date": d(6, 2)},
        batches=[b],
    )
    assert row["production_end_slip"] == 4
    assert row["qc_release_slip"] == 0
    assert row["ship_projected"] == d(6, 2) and row["ship_slip"] == 0
    assert row["arrival_projected"] == d(6, 7)
    assert row["risk"] == "on_track"  # 6-10 - 6-07 = 3 > 2


def test_missing_planned_dates_take_the_default_leads_from_the_previous_plan():
    # Only the planned start is known, nothing has happened yet (T = 4-20).
    b = batch(planned_start=d(5, 1))
    row = one({"committed_date": d(5, 22), "planned_batch": "B1"}, batches=[b], as_of=d(4, 20))
    assert row["material_ready_planned"] == row["production_start_planned"] == d(5, 1)
    assert row["production_end_planned"] == d(5, 6)  # + 5
    assert row["qc_release_planned"] == d(5, 13)  # + 7
    assert row["ship_planned"] == d(5, 15)  # + 2
    assert row["arrival_planned"] == row["arrival_projected"] == d(5, 20)  # + 5
    assert row["risk"] == "tight"  # 5-22 - 5-20 = 2 = tight days


def test_a_derived_plan_date_does_not_count_the_slip_twice():
    # Started 3 days late; the end is planned from the *planned* start (5-06), so it is projected
    # 5-09 with a slip of 3, not 5-12 with 6.
    b = batch(planned_start=d(5, 1), actual_start=d(5, 4), material_ready_date=d(5, 1))
    row = one({"committed_date": d(6, 30), "planned_batch": "B1"}, batches=[b], as_of=d(5, 5))
    assert row["production_start_slip"] == 3
    assert row["production_end_planned"] == d(5, 6)
    assert row["production_end_projected"] == d(5, 9)
    assert row["production_end_slip"] == 3
    assert row["qc_release_projected"] == d(5, 16)
    assert row["arrival_projected"] == d(5, 23)


@pytest.mark.parametrize(
    ("tight_days", "due", "risk"),
    [
        (2, d(6, 10), "tight"),  # D = 6-08: 6-10 - 6-08 = 2 <= 2
        (2, d(6, 11), "on_track"),  # 3 > 2
        (2, d(6, 8), "tight"),  # D = due: not late
        (2, d(6, 7), "late"),  # D = due + 1
        (0, d(6, 8), "tight"),  # 0 <= 0
        (0, d(6, 9), "on_track"),
    ],
)
def test_tight_versus_late_at_the_boundary(tight_days, due, risk):
    row = one(
        {"committed_date": due, "planned_ship_date": d(6, 3)},
        settings=ProjectionSettings(tight_days=tight_days),
    )
    assert row["projected_date"] == d(6, 8)
    assert row["risk"] == risk
    assert row["projected_days_late"] == (1 if risk == "late" else None)


def test_grace_days_move_the_window_end():
    row = one(
        {"committed_date": d(6, 7), "planned_ship_date": d(6, 3)},
        definition=OtifDefinition(late_days=1),
    )
    assert row["risk"] == "tight"  # window end 6-08 = D


def _history(transits: list[int], *, lane=None, delivered=None) -> tuple[list, list]:
    """Closed lines on the lane (S1, DE, road) each delivered once with the given transit."""
    delivered = delivered or d(5, 1)
    lines, deliveries = [], []
    for i, days in enumerate(transits, start=100):
        lines.append({"line_id": i, "committed_date": d(5, 1), **(lane or {})})
        deliveries.append(
            {
                "line_id": i,
                "shipped_date": delivered - dt.timedelta(days=days),
                "delivered_date": delivered,
                "quantity": 100,
            }
        )
    return lines, deliveries


@pytest.mark.parametrize(
    ("transits", "expected", "from_lane"),
    [
        ([3, 4, 4, 10, 2], 4, True),  # 5 deliveries: their median
        ([3, 4, 10, 2], 5, False),  # 4: the default
        ([2, 3, 4, 5, 6, 7], 5, True),  # median 4.5, rounded up
        ([9, 9, 9, 9, 9], 9, True),
    ],
)
def test_transit_is_the_lane_median_with_at_least_five_deliveries(transits, expected, from_lane):
    lines, deliveries = _history(transits)
    rows = run(
        [{"line_id": 1, "committed_date": d(6, 30), "planned_ship_date": d(6, 10)}, *lines],
        deliveries,
    )
    assert list(rows) == [1]
    assert rows[1]["transit_days"] == expected
    assert rows[1]["transit_from_lane"] is from_lane
    assert rows[1]["arrival_planned"] == d(6, 10) + dt.timedelta(days=expected)


def test_transit_counts_only_the_lane_and_the_365_days_up_to_t():
    # Five deliveries, but one on another lane (air) and one delivered 365 days before T.
    lines, deliveries = _history([8, 8, 8])
    air_lines, air = _history([8], lane={"transport_mode": "air"})
    air_lines[0]["line_id"] = air[0]["line_id"] = 200
    old_lines, old = _history([8], delivered=T - dt.timedelta(days=365))
    old_lines[0]["line_id"] = old[0]["line_id"] = 300
    # ...and one delivered 364 days before T, which counts: 4 in the window.
    edge_lines, edge = _history([8], delivered=T - dt.timedelta(days=364))
    edge_lines[0]["line_id"] = edge[0]["line_id"] = 400
    rows = run(
        [
            {"line_id": 1, "committed_date": d(6, 30), "planned_ship_date": d(6, 10)},
            *lines,
            *air_lines,
            *old_lines,
            *edge_lines,
        ],
        deliveries + air + old + edge,
    )
    assert rows[1]["transit_days"] == 5 and rows[1]["transit_from_lane"] is False


def test_a_rejected_batch_is_no_supply_in_quality():
    b = batch(
        planned_start=d(5, 1),
        actual_start=d(5, 1),
        material_ready_date=d(5, 1),
        planned_end=d(5, 6),
        actual_end=d(5, 6),
        planned_release_date=d(5, 13),
        actual_release_date=d(5, 20),
        disposition="rejected",
    )
    row = one(
        {"committed_date": d(6, 30), "planned_batch": "B1", "planned_ship_date": d(6, 3)},
        batches=[b],
    )
    assert row["risk"] == "no_supply"
    assert (row["cause_milestone"], row["cause_area"]) == ("qc_release", "quality")
    assert row["projected_date"] is None and row["projected_days_late"] is None
    assert row["qc_release_actual"] is None  # a rejection is not a release
    assert row["qc_release_projected"] is None and row["arrival_projected"] is None
    assert row["production_end_projected"] == d(5, 6)


@pytest.mark.parametrize(
    ("due", "risk", "area"),
    [
        (d(6, 15), "no_plan", "planning"),  # T + 14: inside the horizon
        (d(5, 20), "no_plan", "planning"),  # already overdue
        (d(6, 16), "on_track", None),  # T + 15: outside, on track with no date
    ],
)
def test_no_plan_inside_and_outside_the_horizon(due, risk, area):
    row = one({"committed_date": due})
    assert (row["risk"], row["cause_area"]) == (risk, area)
    assert row["projected_date"] is None
    assert all(row[f"{m}_projected"] is None for m in ("ship", "arrival"))


def test_the_horizon_is_the_agreements():
    row = one({"committed_date": d(6, 16)}, settings=ProjectionSettings(horizon_days=15))
    assert row["risk"] == "no_plan"


def test_a_line_shipped_in_full_without_plan_is_in_transit():
    row = one(
        {"committed_date": d(6, 3)},
        deliveries=[{"line_id": 1, "shipped_date": d(5, 30), "quantity": 100}],
    )
    assert row["ship_actual"] == row["ship_projected"] == d(5, 30)
    assert row["arrival_projected"] == d(6, 4)  # shipped + transit 5
    assert row["risk"] == "late" and row["projected_days_late"] == 1


def test_a_partial_shipment_is_not_the_ship_milestone():
    row = one(
        {"committed_date": d(6, 20), "planned_ship_date": d(5, 29)},
        deliveries=[{"line_id": 1, "shipped_date": d(5, 28), "quantity": 60}],
    )
    assert row["ship_actual"] is None
    assert row["ship_projected"] == T and row["ship_slip"] == 3
    assert row["arrival_projected"] == d(6, 6)


def test_overdue_in_transit_slips_at_arrival_in_shipping():
    # Shipped on plan 5-20, expected 5-25, not there at T: arrival projected today.
    row = one(
        {"committed_date": d(5, 28), "planned_ship_date": d(5, 20)},
        deliveries=[{"line_id": 1, "shipped_date": d(5, 20), "quantity": 100}],
    )
    assert row["ship_slip"] == 0
    assert row["arrival_projected"] == T and row["arrival_slip"] == 7
    assert row["risk"] == "late" and row["projected_days_late"] == 4
    assert (row["cause_milestone"], row["cause_area"]) == ("arrival", "shipping")


def test_a_plan_that_is_late_by_itself_is_planned_late():
    row = one({"committed_date": d(6, 12), "planned_ship_date": d(6, 10)})
    assert row["arrival_projected"] == d(6, 15)
    assert row["risk"] == "late" and row["projected_days_late"] == 3
    assert (row["cause_milestone"], row["cause_area"]) == ("planned_late", "planning")


def test_the_cause_tie_goes_to_the_earliest_milestone():
    # Material ready 3 days late (production start inherits it: +0), production end +3 more.
    b = batch(
        planned_start=d(5, 1),
        material_ready_date=d(5, 4),
        actual_start=d(5, 4),
        planned_end=d(5, 6),
        actual_end=d(5, 12),
        planned_release_date=d(5, 13),
        actual_release_date=d(5, 19),
        disposition="released",
    )
    row = one(
        {"committed_date": d(6, 5), "planned_batch": "B1", "planned_ship_date": d(5, 27)},
        batches=[b],
    )
    assert [row[f"{m}_slip"] for m in ("material_ready", "production_start", "production_end")] == [
        3,
        3,
        6,
    ]
    assert row["ship_projected"] == d(6, 2) and row["arrival_projected"] == d(6, 7)
    assert (row["cause_milestone"], row["cause_area"]) == ("material_ready", "materials")


def test_shipment_measured_definitions_project_the_ship_date():
    definition = OtifDefinition(measured_at="shipment")
    row = one({"committed_date": d(6, 4), "planned_ship_date": d(6, 3)}, definition=definition)
    assert row["projected_date"] == d(6, 3)
    assert row["risk"] == "tight"
    late = one({"committed_date": d(6, 2), "planned_ship_date": d(6, 3)}, definition=definition)
    assert late["risk"] == "late" and late["projected_days_late"] == 1


def test_a_later_actual_proves_the_earlier_milestones_done():
    b = batch(
        planned_start=d(5, 1),
        planned_end=d(5, 6),
        planned_release_date=d(5, 13),
        actual_release_date=d(5, 15),
        disposition="released",
    )
    row = one({"committed_date": d(6, 30), "planned_batch": "B1"}, batches=[b])
    assert row["material_ready_actual"] is None
    assert row["material_ready_projected"] == d(5, 15)
    assert row["production_end_projected"] == d(5, 15)
    assert row["qc_release_slip"] == 2
    assert row["ship_projected"] == T  # planned 5-15 + 2 slip = 5-17, never in the past


def test_actual_dates_after_t_are_not_known_yet():
    b = batch(planned_start=d(6, 5), actual_start=d(6, 3), material_ready_date=d(6, 2))
    row = one({"committed_date": d(7, 30), "planned_batch": "B1"}, batches=[b])
    assert row["material_ready_actual"] is None and row["production_start_actual"] is None
    assert row["production_start_projected"] == d(6, 5)


def test_only_open_lines_are_projected():
    rows = run(
        [
            {"line_id": 1, "committed_date": d(6, 20), "planned_ship_date": d(6, 3)},
            {"line_id": 2, "committed_date": d(6, 20), "status": "cancelled"},
            {"line_id": 3, "committed_date": d(5, 20), "status": "closed"},
            {"line_id": 4, "committed_date": d(5, 20)},  # delivered in full
            {"line_id": 5, "committed_date": d(5, 20)},  # delivered 99 of 100: still open
            {"line_id": 6, "committed_date": None},  # no due date: excluded
            {"line_id": 7, "committed_date": d(6, 20), "manual_exclusion": "dup"},
        ],
        [
            {"line_id": 4, "delivered_date": d(5, 19), "quantity": 100},
            {"line_id": 5, "delivered_date": d(5, 19), "quantity": 99},
        ],
    )
    assert sorted(rows) == [1, 5]
    assert rows[5]["remaining_qty"] == 1.0
    assert rows[5]["risk"] == "no_plan"  # overdue, nothing planned for the last unit


def test_stock_cover_is_extended_by_arrivals_and_the_first_line_after_it_causes_the_stock_out():
    # Stock 100, demand 10/day on 6-01: cover to 6-11. Line 1 (50 units) arrives 6-08 and
    # extends the cover by 5 days to 6-16; line 2 arrives 6-18: stock-out from 6-16.
    # Line 3 arrives later still: not the first. Line 4 ships elsewhere.
    rows = run(
        [
            {
                "line_id": 1,
                "committed_date": d(6, 30),
                "planned_ship_date": d(6, 3),
                "ordered_qty": 50,
            },
            {"line_id": 2, "committed_date": d(6, 30), "planned_ship_date": d(6, 13)},
            {"line_id": 3, "committed_date": d(6, 30), "planned_ship_date": d(6, 15)},
            {
                "line_id": 4,
                "committed_date": d(6, 30),
                "planned_ship_date": d(6, 25),
                "ship_to": "FR",
            },
        ],
        stock=[
            {
                "product": "P1",
                "location": "DE",
                "date": d(5, 20),
                "on_hand": 500,
                "daily_demand": 1,
            },
            {
                "product": "P1",
                "location": "DE",
                "date": d(6, 1),
                "on_hand": 100,
                "daily_demand": 10,
            },
        ],
    )
    assert [rows[i]["arrival_projected"] for i in (1, 2, 3)] == [d(6, 8), d(6, 18), d(6, 20)]
    assert rows[1]["stock_out_from"] is None
    assert rows[2]["stock_out_from"] == d(6, 16)
    assert rows[3]["stock_out_from"] is None
    assert rows[4]["stock_out_from"] is None


def test_an_arrival_on_the_last_day_of_cover_still_refills_and_fractions_round_down():
    # 25 on hand, 10/day on 6-01: cover 2.5 days. Transit 2 days.
    rows = run(
        [
            {
                "line_id": 1,
                "committed_date": d(6, 30),
                "planned_ship_date": d(5, 29),
                "ordered_qty": 10,
            },
            {"line_id": 2, "committed_date": d(6, 30), "planned_ship_date": d(5, 31)},
        ],
        deliveries=[{"line_id": 1, "shipped_date": d(5, 29), "quantity": 10}],
        stock=[
            {"product": "P1", "location": "DE", "date": d(6, 1), "on_hand": 25, "daily_demand": 10}
        ],
        settings=ProjectionSettings(transit_days=2),
    )
    # line 1: shipped 5-29 + 2 = 5-31, projected T (6-01): offset 0 <= 2.5, cover 3.5
    # line 2: 5-31 + 2 = 6-02 -> offset 1 <= 3.5: no stock-out
    assert rows[1]["stock_out_from"] is None and rows[2]["stock_out_from"] is None
    short = run(
        [{"line_id": 2, "committed_date": d(6, 30), "planned_ship_date": d(6, 2)}],
        stock=[
            {"product": "P1", "location": "DE", "date": d(6, 1), "on_hand": 25, "daily_demand": 10}
        ],
        settings=ProjectionSettings(transit_days=2),
    )
    # arrives 6-04, offset 3 > 2.5: stock-out from 6-01 + floor(2.5) = 6-03
    assert short[2]["stock_out_from"] == d(6, 3)


def test_projected_otif_counts_measured_and_open_lines_once():
    lines = [
        {"line_id": 1, "committed_date": d(6, 2)},  # delivered on time: measured OTIF
        {"line_id": 2, "committed_date": d(6, 3)},  # delivered early enough: measured OTIF
        {"line_id": 3, "committed_date": d(6, 20), "planned_ship_date": d(6, 3)},  # on track
        {"line_id": 4, "committed_date": d(6, 10), "planned_ship_date": d(6, 3)},  # tight
        {"line_id": 5, "committed_date": d(6, 5), "planned_ship_date": d(6, 3)},  # late
        {"line_id": 6, "committed_date": d(6, 12)},  # no plan
        {"line_id": 7, "committed_date": d(7, 1), "planned_ship_date": d(6, 3)},  # next month
    ]
    deliveries = [
        {"line_id": 1, "delivered_date": d(5, 30), "quantity": 100},
        {"line_id": 2, "delivered_date": d(5, 31), "quantity": 100},
    ]
    as_of = d(5, 31)
    frames = (make_lines(lines), make_deliveries(deliveries), make_batches([]))
    from tower.engine import evaluate

    outcomes = evaluate(frames[0], frames[1], OtifDefinition(), as_of)
    projection = project(*frames, OtifDefinition(), as_of)
    risks = dict(zip(projection["line_id"], projection["risk"], strict=True))
    assert risks == {3: "on_track", 4: "tight", 5: "late", 6: "no_plan", 7: "on_track"}
    figure = projected_otif(outcomes, projection, d(6, 1))
    # measured: 1 and 2 (both OTIF); open: 3, 4 (good), 5, 6 (not) -> 4 of 6
    assert (figure["measured"], figure["open"], figure["good"], figure["total"]) == (2, 4, 4, 6)
    assert figure["otif_pct"] == pytest.approx(66.67)
    assert projected_otif(outcomes, projection, d(7, 1))["otif_pct"] == 100.0
    assert projected_otif(outcomes, projection, d(8, 1))["otif_pct"] is None


def test_an_overdue_open_line_counts_once_in_projected_otif():
    lines = [{"line_id": 1, "committed_date": d(5, 20)}, {"line_id": 2, "committed_date": d(5, 25)}]
    deliveries = [{"line_id": 2, "delivered_date": d(5, 25), "quantity": 100}]
    frames = (make_lines(lines), make_deliveries(deliveries), make_batches([]))
    from tower.engine import evaluate

    outcomes = evaluate(frames[0], frames[1], OtifDefinition(), T)
    projection = project(*frames, OtifDefinition(), T)
    figure = projected_otif(outcomes, projection, d(5, 1))
    assert (figure["measured"], figure["open"], figure["good"]) == (2, 0, 1)
    assert figure["otif_pct"] == 50.0


def test_no_open_lines_gives_an_empty_frame_with_the_schema():
    out = project(make_lines([]), make_deliveries([]), make_batches([]), OtifDefinition(), T)
    assert out.height == 0 and dict(out.schema) == PROJECTION_SCHEMA


@pytest.mark.parametrize(
    "changes",
    [{"tight_days": -1}, {"transit_days": 366}, {"ship_days": 1.5}, {"horizon_days": True}],
)
def test_settings_are_bounded(changes):
    with pytest.raises(SettingsError):
        ProjectionSettings(**changes)
