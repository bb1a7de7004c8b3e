"""Property test: the columnar projection agrees with the slow per-line reference
(tests/engine/projection_reference.py) on random lines, batches, deliveries, stock, settings,
definitions and as-of dates. Dates are drawn from a few weeks so that every rule (actual before
or after T, slips, ties, horizons, lanes with 5 deliveries or fewer) is hit often.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tower.engine import OtifDefinition
from tower.engine.projection import ProjectionSettings, project

from .projection_reference import (
    make_batches,
    make_deliveries,
    make_lines,
    make_stock,
    reference_project,
)

BASE = dt.date(2026, 5, 1)
PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def day(offset: int) -> dt.date:
    return BASE + dt.timedelta(days=offset)


def sometimes_missing(one_in: int) -> st.SearchStrategy:
    """A date, missing about once in `one_in` draws."""
    return st.tuples(st.integers(1, one_in), st.integers(0, 40)).map(
        lambda pair: None if pair[0] == 1 else day(pair[1])
    )


dates = sometimes_missing(4)
BATCHES = ("B1", "B2", "B3")


@st.composite
def batch_rows(draw):
    rows = []
    for name in draw(st.lists(st.sampled_from(BATCHES), unique=True, min_size=1, max_size=3)):
        rows.append(
            {
                "batch": name,
                "planned_start": draw(dates),
                "actual_start": draw(dates),
                "planned_end": draw(dates),
                "actual_end": draw(dates),
                "material_ready_date": draw(dates),
                "planned_release_date": draw(dates),
                "actual_release_date": draw(dates),
                "disposition": draw(
                    st.sampled_from([None, "released", "rejected", "on_hold", "Released"])
                ),
            }
        )
    return rows


@st.composite
def line_rows(draw):
    rows = []
    for line_id in range(1, draw(st.integers(1, 8)) + 1):
        rows.append(
            {
                "line_id": line_id,
                "committed_date": draw(sometimes_missing(10)),
                "ordered_qty": float(draw(st.sampled_from([0, 4, 8, 8, 16, 16]))),
                "status": draw(
                    st.sampled_from(["open", "open", "open", "closed", "cancelled", None])
                ),
                "product": draw(st.sampled_from(["P1", "P1", "P2"])),
                "ship_to": draw(st.sampled_from(["DE", "DE", "FR", None])),
                "transport_mode": draw(st.sampled_from(["road", "air"])),
                "planned_ship_date": draw(dates),
                "planned_batch": draw(st.sampled_from([None, *BATCHES, *BATCHES, "B9"])),
            }
        )
    return rows


@st.composite
def delivery_rows(draw, line_ids):
    rows = []
    for _ in range(draw(st.integers(0, 14))):
        shipped = draw(dates)
        rows.append(
            {
                "line_id": draw(st.sampled_from(line_ids)),
                "shipped_date": shipped,
                "delivered_date": draw(
                    st.none()
                    | st.integers(-2, 9).map(
                        lambda n, s=shipped: (s or day(20)) + dt.timedelta(days=n)
                    )
                ),
                "quantity": draw(st.sampled_from([1, 2, 4, 8])),
            }
        )
    return rows


@st.composite
def stock_rows(draw):
    return [
        {
            "product": draw(st.sampled_from(["P1", "P2"])),
            "location": draw(st.sampled_from(["DE", "FR"])),
            "date": draw(st.integers(0, 30).map(day)),
            "on_hand": float(draw(st.integers(-2, 30))),
            "daily_demand": draw(st.sampled_from([0.0, 1.0, 2.0, 2.0, 4.0, 4.0, None])),
        }
        for _ in range(draw(st.integers(1, 6)))
    ]


@st.composite
def cases(draw):
    lines = draw(line_rows())
    return {
        "lines": lines,
        "deliveries": draw(delivery_rows([row["line_id"] for row in lines])),
        "batches": draw(batch_rows()),
        "stock": draw(st.none() | stock_rows()),
        "definition": OtifDefinition(
            measured_at=draw(st.sampled_from(["delivery", "shipment"])),
            late_days=draw(st.integers(0, 2)),
            under_pct=draw(st.sampled_from([0.0, 25.0, 50.0])),
            open_overdue=draw(st.sampled_from(["fail", "exclude"])),
        ),
        "settings": ProjectionSettings(
            production_days=draw(st.integers(0, 6)),
            release_days=draw(st.integers(0, 8)),
            ship_days=draw(st.integers(0, 3)),
            transit_days=draw(st.integers(0, 6)),
            tight_days=draw(st.integers(0, 3)),
            horizon_days=draw(st.integers(0, 20)),
        ),
        "as_of": draw(st.integers(0, 40).map(day)),
    }


@PROPERTY_SETTINGS
@given(cases())
def test_engine_agrees_with_the_reference(case):
    lines = make_lines(case["lines"])
    deliveries = make_deliveries(case["deliveries"])
    batches = make_batches(case["batches"])
    stock = make_stock(case["stock"]) if case["stock"] is not None else None
    args = (lines, deliveries, batches, case["definition"], case["as_of"], case["settings"])
    engine = project(*args, stock=stock).to_dicts()
    assert engine == reference_project(*args, stock)
