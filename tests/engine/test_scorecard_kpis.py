"""The scorecard KPIs of kpis.md 4 and 5 on a small hand-checked data set (Q3 2026).

Batches (as of 2026-09-15):
  B1 started 07-02 (materials 06-30, planned 07-01: ready), ended 07-10, released 07-18
     (planned 07-20: on time), yield 95/100, no deviation
  B2 started 07-06 (materials 07-07, planned 07-05: late), ended 07-15, released 07-30
     (planned 07-25: late), yield 90/100, one deviation
  B3 started 08-01 (no material-ready date), ended 08-10, rejected 08-20 (no planned release
     date), yield 150/200, no deviation
  B4 started 09-02 (materials 08-30, planned 09-01: ready), ended 09-12, reworked 09-25,
     yield 100/100
  B5 started and ended in June, released 07-05 (planned 07-06: on time), yield 80/100
  B6 started 09-25 (materials 09-20, planned 09-25: ready), still in production
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tower.engine import scorecard as kpis
from tower.engine.kpi_catalogue import KPI_BY_CODE, KPIS
from tower.engine.targets import target_status

D = dt.date
START, END, AS_OF = D(2026, 7, 1), D(2026, 9, 30), D(2026, 9, 15)

BATCH_COLUMNS = [
    "batch",
    "planned_start",
    "actual_start",
    "material_ready_date",
    "actual_end",
    "planned_release_date",
    "actual_release_date",
    "disposition",
    "theoretical_output",
    "actual_output",
    "deviations",
]
BATCHES = pl.DataFrame(
    [
        ("B1", D(2026, 7, 1), D(2026, 7, 2), D(2026, 6, 30), D(2026, 7, 10), D(2026, 7, 20), D(2026, 7, 18), "released", 100.0, 95.0, 0),
        ("B2", D(2026, 7, 5), D(2026, 7, 6), D(2026, 7, 7), D(2026, 7, 15), D(2026, 7, 25), D(2026, 7, 30), "released", 100.0, 90.0, 1),
        ("B3", D(2026, 8, 1), D(2026, 8, 1), None, D(2026, 8, 10), None, D(2026, 8, 20), "rejected", 200.0, 150.0, 0),
        ("B4", D(2026, 9, 1), D(2026, 9, 2), D(2026, 8, 30), D(2026, 9, 12), D(2026, 9, 20), D(2026, 9, 25), "reworked", 100.0, 100.0, 0),
        ("B5", D(2026, 6, 15), D(2026, 6, 20), D(2026, 6, 10), D(2026, 6, 30), D(2026, 7, 6), D(2026, 7, 5), "released", 100.0, 80.0, 0),
        ("B6", D(2026, 9, 25), D(2026, 9, 25), D(2026, 9, 20), None, None, None, "", None, None, 0),
    ],
    schema=BATCH_COLUMNS,
    orient="row",
)  # fmt: skip


def test_material_readiness_leaves_out_batches_without_a_date():
    rows, m = kpis.material_readiness(BATCHES, START, END)
    # Started in Q3: B1 ready, B2 late, B3 unknown, B4 ready, B6 ready.
    assert sorted(rows["batch"]) == ["B1", "B2", "B3", "B4", "B6"]
    assert (m.numerator, m.denominator, m.value) == (3, 4, 75.0)
    assert m.basis == "3 of 4 batches started (1 without a material-ready date left out)"


def test_qc_release_on_time_counts_released_batches_only():
    rows, m = kpis.qc_release_on_time(BATCHES, START, END)
    # Released in Q3: B1 on time, B2 late, B5 on time; B3 rejected and B4 reworked are not.
    assert sorted(rows["batch"]) == ["B1", "B2", "B5"]
    assert (m.numerator, m.denominator) == (2, 3)
    assert m.value == pytest.approx(200 / 3)


def test_right_first_time_lot_acceptance_and_yield():
    _, rft = kpis.right_first_time(BATCHES, START, END)
    # Completed in Q3: B1 (yes), B2 (deviation), B3 (rejected), B4 (rework).
    assert (rft.numerator, rft.denominator, rft.value) == (1, 4, 25.0)
    _, lots = kpis.lot_acceptance(BATCHES, START, END)
    # Dispositioned in Q3: B1, B2, B5 released; B3 rejected.
    assert (lots.numerator, lots.denominator, lots.value) == (3, 4, 75.0)
    _, y = kpis.batch_yield(BATCHES, START, END)
    assert y.value == pytest.approx((95 + 90 + 75 + 100) / 4)
    assert y.basis == "mean of 4 batches"


def test_incident_rate_by_severity():
    deviations = pl.DataFrame(
        {
            "deviation": ["D1", "D2", "D3"],
            "batch": ["B2", None, "B5"],
            "severity": ["minor", "major", "critical"],
            "opened_date": [D(2026, 7, 12), D(2026, 8, 15), D(2026, 6, 30)],
        }
    )
    rows, m = kpis.incident_rate(BATCHES, deviations, START, END)
    # Two deviations opened in Q3 (D3 is June) for four batches completed.
    assert rows["deviation"].to_list() == ["D1", "D2"]
    assert (m.numerator, m.denominator, m.value) == (2, 4, 50.0)
    assert m.breakdown == {"minor": 25.0, "major": 25.0, "critical": 0.0}
    assert m.basis == "2 deviations (1 minor, 1 major, 0 critical) for 4 batches completed"


def test_capa_on_time_counts_only_actions_already_due():
    capas = pl.DataFrame(
        {
            "capa": ["C1", "C2", "C3", "C4"],
            "due_date": [D(2026, 7, 15), D(2026, 8, 1), D(2026, 8, 20), D(2026, 9, 20)],
            "closed_date": [D(2026, 7, 14), D(2026, 8, 5), None, None],
        }
    )
    rows, m = kpis.capa_on_time(capas, START, END, AS_OF)
    assert rows["capa"].to_list() == ["C1", "C2", "C3"]  # C4 is not due yet on 09-15
    assert rows["counts"].to_list() == [True, False, False]
    assert (m.numerator, m.denominator) == (1, 3)


def test_schedule_adherence_per_product_and_week():
    plan = pl.DataFrame(
        {
            "product": ["A", "A", "B", "A"],
            "site": ["S1", "S2", "S1", "S1"],
            "week": [D(2026, 7, 6), D(2026, 7, 6), D(2026, 7, 13), D(2026, 6, 29)],
            "planned_qty": [100.0, 50.0, 100.0, 100.0],
            "released_qty": [90.0, 60.0, 130.0, 0.0],
        }
    )
    rows, m = kpis.schedule_adherence(plan, START, END, AS_OF)
    # A in week 07-06: plan 150, released 150 -> 150; B: plan 100, released 130 -> 70.
    # The week of 06-29 is before the quarter.
    assert rows["adhered_qty"].to_list() == [150.0, 70.0]
    assert (m.numerator, m.denominator, m.value) == (220.0, 250.0, 88.0)


def test_ship_on_time_leaves_out_deliveries_without_a_plan():
    shipments = pl.DataFrame(
        {
            "shipped_date": [D(2026, 7, 10), D(2026, 7, 12), D(2026, 8, 1), D(2026, 6, 30)],
            "planned_ship_date": [D(2026, 7, 10), D(2026, 7, 11), None, D(2026, 7, 1)],
        }
    )
    _, m = kpis.ship_on_time(shipments, START, END)
    assert (m.numerator, m.denominator, m.value) == (1, 2, 50.0)
    assert m.basis == "1 of 2 deliveries shipped (1 without a planned ship date left out)"


STOCK_OUTS = pl.DataFrame(
    {
        "product": ["A", "B", "C", "D"],
        "location": ["DE", "FR", "IT", "ES"],
        "start_date": [D(2026, 7, 10), D(2026, 6, 25), D(2026, 8, 1), D(2026, 5, 1)],
        "end_date": [D(2026, 7, 19), D(2026, 7, 5), None, D(2026, 6, 1)],
        "cmo_caused": [True, True, False, True],
        "linked_lines": [2, 1, 0, 1],
    }
)


def test_stock_out_kpis():
    rows, m = kpis.stock_out_measures(STOCK_OUTS, START, END, AS_OF, measured=True)
    # A: 07-10..07-19 = 10 days; B: 07-01..07-05 = 5 days (started in June); C: open,
    # 08-01..09-15 (as of) = 46 days; D ended before the quarter.
    assert dict(zip(rows["product"], rows["days_in_period"], strict=True)) == {
        "B": 5,
        "A": 10,
        "C": 46,
    }
    # Starting in Q3: A (CMO) and C (not).
    assert (m["oos_events"].value, m["oos_events"].denominator) == (1, 2)
    assert (m["oos_days"].value, m["oos_days"].denominator) == (15, 61)
    assert m["oos_share"].value == 50.0


def test_empty_periods_are_no_data_never_zero_or_hundred():
    empty = BATCHES.clear()
    for compute in (
        kpis.material_readiness,
        kpis.qc_release_on_time,
        kpis.right_first_time,
        kpis.lot_acceptance,
        kpis.batch_yield,
    ):
        _, m = compute(empty, START, END)
        assert m.value is None, compute.__name__
    _, rate = kpis.incident_rate(
        empty, pl.DataFrame(schema={"severity": pl.String, "opened_date": pl.Date}), START, END
    )
    assert rate.value is None
    _, oos = kpis.stock_out_measures(STOCK_OUTS, START, END, AS_OF, measured=False)
    assert {m.value for m in oos.values()} == {None}
    _, none_started = kpis.stock_out_measures(STOCK_OUTS.clear(), START, END, AS_OF, measured=True)
    # Lines were measured and nothing ran out: zero events is a real zero, the share has no base.
    assert (none_started["oos_events"].value, none_started["oos_share"].value) == (0, None)


def test_schedule_adherence_waits_for_a_week_to_end():
    plan = pl.DataFrame(
        {
            "product": ["A", "A"],
            "site": ["S1", "S1"],
            "week": [D(2026, 9, 7), D(2026, 9, 14)],
            "planned_qty": [100.0, 100.0],
            "released_qty": [100.0, 0.0],
        }
    )
    # On 09-15 the week of 09-14 is still running: only the week of 09-07 counts.
    rows, m = kpis.schedule_adherence(plan, START, END, AS_OF)
    assert rows["week"].to_list() == [D(2026, 9, 7)]
    assert m.value == 100.0
    # On 09-20 (a Sunday) it has ended, and it released nothing.
    _, m = kpis.schedule_adherence(plan, START, END, D(2026, 9, 20))
    assert m.value == 50.0


def test_an_event_kpi_with_target_zero_has_no_amber_band_by_default():
    """One CMO-caused stock-out is red unless the agreement gives a tolerance."""
    zero_targets = [k for k in KPIS if k.default_target == 0 and not k.higher_is_better]
    assert {k.code for k in zero_targets} == {"oos_events", "oos_days", "oos_share"}
    for kpi in zero_targets:
        assert kpi.default_tolerance == 0, kpi.code
    events = KPI_BY_CODE["oos_events"]
    assert target_status(0, events.default_target, higher_is_better=False, tolerance=0) == "green"
    one = target_status(1, events.default_target, higher_is_better=False, tolerance=0)
    assert one == "red"
    # An agreement that allows one event makes it amber, two still red.
    assert target_status(1, 0, higher_is_better=False, tolerance=1) == "amber"
    assert target_status(2, 0, higher_is_better=False, tolerance=1) == "red"
