"""Property tests: the columnar engine agrees with the slow reference (tests/engine/reference.py)
on random definitions, lines, deliveries and as-of dates.

Quantities are small whole numbers and the tolerances are chosen so that `lower` and `upper` are
exact in binary floating point (12.5 %, 25 %, 50 %...): boundary cases (delivered == lower) are
hit often and compare exactly. Deterministic (derandomize) so CI is stable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tower.engine import OtifDefinition, evaluate, summarise
from tower.engine.definition import BASES, EXCLUSIONS, MEASURED_AT, OPEN_OVERDUE

from .reference import (
    OUTCOME_DTYPES,
    make_deliveries,
    make_lines,
    reference_evaluate,
    reference_summary,
)

BASE = dt.date(2026, 3, 20)  # due dates fall in 2026-03-20 .. 2026-04-14: two months, two quarters

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def day(offset: int) -> dt.date:
    return BASE + dt.timedelta(days=offset)


def rarely(value: Any, one_in: int, otherwise: Any) -> st.SearchStrategy:
    """`value` about once in `one_in` draws, else a draw from `otherwise`."""
    return st.integers(1, one_in).flatmap(lambda n: st.just(value) if n == 1 else otherwise)


@st.composite
def definitions(draw) -> OtifDefinition:
    return OtifDefinition(
        basis=draw(st.sampled_from(BASES)),
        measured_at=draw(st.sampled_from(MEASURED_AT)),
        early_days=draw(st.none() | st.integers(0, 3)),
        late_days=draw(st.integers(0, 3)),
        under_pct=draw(st.sampled_from([0.0, 12.5, 25.0, 50.0, 100.0])),
        over_pct=draw(st.none() | st.sampled_from([0.0, 12.5, 25.0, 100.0])),
        open_overdue=draw(st.sampled_from(OPEN_OVERDUE)),
        exclusions=tuple(draw(st.sets(st.sampled_from(EXCLUSIONS)))),
    )


due_offsets = st.integers(0, 25)


@st.composite
def line_sets(draw) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Up to 7 lines in up to 3 orders, each with 0-4 deliveries dated around its dates."""
    count = draw(st.integers(0, 7))
    ids = draw(st.permutations(range(1, count + 1)))
    with_manual = draw(st.booleans())
    lines, deliveries = [], []
    for line_id in ids:
        # each date missing about one time in three: all three missing about one line in 27
        dates = [draw(rarely(None, 3, due_offsets)) for _ in range(3)]
        lines.append(
            {
                "line_id": line_id,
                "order_key": draw(st.sampled_from(["A", "B", "C"])),
                "requested_date": None if dates[0] is None else day(dates[0]),
                "first_committed_date": None if dates[1] is None else day(dates[1]),
                "committed_date": None if dates[2] is None else day(dates[2]),
                "ordered_qty": draw(rarely(0.0, 10, st.sampled_from([1.0, 2.0, 4.0, 8.0, 10.0]))),
                "line_value": draw(rarely(None, 4, st.sampled_from([10.0, 25.5, 100.0]))),
                "status": draw(rarely("cancelled", 8, st.sampled_from(["open", "closed"]))),
                "manual_exclusion": draw(rarely("agreed with client", 10, st.none())),
            }
        )
        # deliveries near one of the line's dates, so window edges are hit
        anchor = next((x for x in dates if x is not None), draw(due_offsets))
        ordered = lines[-1]["ordered_qty"]
        # whole, half and quarter lines (exact in binary) so lines often complete exactly
        quantities = st.sampled_from([ordered, ordered / 2, ordered / 4, 0.0, 1.0, 3.0])
        for _ in range(draw(st.integers(0, 4))):
            shipped = draw(rarely(None, 5, st.integers(anchor - 6, anchor + 16)))
            transit = draw(rarely(None, 5, st.integers(0, 3)))
            if transit is None:
                delivered = None
            elif shipped is None:
                delivered = draw(st.integers(anchor - 6, anchor + 16))
            else:
                delivered = shipped + transit
            deliveries.append(
                {
                    "line_id": line_id,
                    "shipped_date": None if shipped is None else day(shipped),
                    "delivered_date": None if delivered is None else day(delivered),
                    "quantity": draw(quantities),
                }
            )
    return make_lines(lines, with_manual_column=with_manual), make_deliveries(deliveries)


# as-of anywhere around the dates (pending lines, window edges) or after everything (all measurable)
as_of_dates = st.one_of(st.integers(-3, 45), st.integers(46, 60)).map(day)


@PROPERTY_SETTINGS
@given(data=line_sets(), definition=definitions(), as_of=as_of_dates)
def test_evaluate_matches_the_reference_on_every_column(data, definition, as_of):
    lines, deliveries = data
    got = evaluate(lines, deliveries, definition, as_of)
    expected = reference_evaluate(lines, deliveries, definition, as_of)

    assert got["line_id"].to_list() == [row["line_id"] for row in expected]
    for got_row, expected_row in zip(got.iter_rows(named=True), expected, strict=True):
        got_row = {name: got_row[name] for name in OUTCOME_DTYPES}
        assert got_row == expected_row, f"line {expected_row['line_id']}: " + ", ".join(
            f"{k}: got {got_row[k]!r} expected {expected_row[k]!r}"
            for k in OUTCOME_DTYPES
            if got_row[k] != expected_row[k]
        )


# --------------------------------------------------------------------------- summaries

BY_CHOICES = [[], ["month"], ["quarter"], ["product"], ["product", "month"], ["quarter", "product"]]
EXACT = ("grain", "count", "failed", "pending", "excluded", "due_fallback")
AMOUNTS = ("weight", "on_time", "in_full", "otif")
PERCENTS = (
    "on_time_pct",
    "in_full_pct",
    "otif_pct",
    "line_fill_rate_pct",
    "volume_fill_rate_pct",
)


def _check_percent(name: str, got: float | None, unrounded: float | None) -> None:
    if unrounded is None:
        assert got is None, f"{name}: got {got}, expected no data"
        return
    assert got is not None, f"{name}: got None, expected {unrounded}"
    assert abs(got - unrounded) <= 0.005 + 1e-9, f"{name}: got {got}, expected {unrounded}"
    assert got == pytest.approx(round(got, 2), abs=1e-9), f"{name}: {got} not rounded to 2 dp"


def _check_summary(got: pl.DataFrame, expected: dict[tuple, dict[str, Any]], by: list[str]):
    got_rows = {tuple(row[k] for k in by): row for row in got.iter_rows(named=True)}
    assert len(got_rows) == got.height, "one row per group"
    assert set(got_rows) == set(expected)
    keys = [tuple(row[k] for k in by) for row in got.iter_rows(named=True)]
    complete = [key for key in keys if None not in key]
    assert complete == sorted(complete), "rows sorted by the by-keys"
    for key, want in expected.items():
        row = got_rows[key]
        for name in EXACT:
            assert row[name] == want[name], f"{key} {name}: got {row[name]} expected {want[name]}"
        for name in AMOUNTS:
            assert row[name] == pytest.approx(want[name]), f"{key} {name}"
        for name in PERCENTS:
            _check_percent(f"{key} {name}", row[name], want[name])
        if want["dpmo"] is None:
            assert row["dpmo"] is None, f"{key} dpmo"
        else:
            assert row["dpmo"] == pytest.approx(want["dpmo"], abs=1e-6), f"{key} dpmo"
        if want["sigma"] is None:
            assert row["sigma"] is None, f"{key} sigma: got {row['sigma']}"
        else:
            assert row["sigma"] == pytest.approx(want["sigma"], abs=1e-9), f"{key} sigma"


@PROPERTY_SETTINGS
@given(
    data=line_sets(),
    definition=definitions(),
    as_of=as_of_dates,
    extras=st.data(),
    by=st.sampled_from(BY_CHOICES),
    net=st.booleans(),
)
def test_summarise_matches_the_reference_at_every_grain(data, definition, as_of, extras, by, net):
    # given outcomes computed by the reference (so this test does not lean on evaluate),
    # with a product and an "excused" flag joined as a caller would
    lines, deliveries = data
    rows = reference_evaluate(lines, deliveries, definition, as_of)
    for row in rows:
        row["product"] = extras.draw(st.sampled_from(["P1", "P2"]))
        row["excused"] = row["otif"] is False and extras.draw(st.booleans())
    schema = dict(OUTCOME_DTYPES, product=pl.String, excused=pl.Boolean)
    outcomes = pl.DataFrame(rows, schema=schema)

    for grain in ("line", "order", "quantity", "value"):
        got = summarise(outcomes, by=by, grain=grain, net=net)
        expected = reference_summary(rows, by, grain, net=net)
        _check_summary(got, expected, by)
