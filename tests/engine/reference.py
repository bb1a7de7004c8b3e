"""A slow, obviously-correct reference for the OTIF engine, written straight from kpis.md 1 and 3.

Plain Python loops over dicts. Polars is only used to turn frames into rows (and to build input
frames for the tests); none of the engine's logic is reused here, so a test comparing the engine
with this module compares two independent readings of the spec.

Also holds the small frame builders the engine tests share (lines, deliveries, outcomes).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from statistics import NormalDist
from typing import Any

import polars as pl

# --------------------------------------------------------------------------- frame builders

LINE_SCHEMA: dict[str, Any] = {
    "line_id": pl.Int64,
    "order_key": pl.String,
    "requested_date": pl.Date,
    "first_committed_date": pl.Date,
    "committed_date": pl.Date,
    "ordered_qty": pl.Float64,
    "line_value": pl.Float64,
    "status": pl.String,
    "manual_exclusion": pl.String,
}

DELIVERY_SCHEMA: dict[str, Any] = {
    "line_id": pl.Int64,
    "shipped_date": pl.Date,
    "delivered_date": pl.Date,
    "quantity": pl.Float64,
}

# The engine's output columns and types, as the contract lists them.
OUTCOME_DTYPES: dict[str, Any] = {
    "line_id": pl.Int64,
    "order_key": pl.String,
    "state": pl.String,
    "exclusion": pl.String,
    "due_date": pl.Date,
    "due_basis": pl.String,
    "due_fallback": pl.Boolean,
    "period": pl.Date,
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
    "delay_class": pl.String,
    "failure_kind": pl.String,
}

SUMMARY_DTYPES: dict[str, Any] = {
    "grain": pl.String,
    "count": pl.Int64,
    "weight": pl.Float64,
    "on_time": pl.Float64,
    "in_full": pl.Float64,
    "otif": pl.Float64,
    "on_time_pct": pl.Float64,
    "in_full_pct": pl.Float64,
    "otif_pct": pl.Float64,
    "failed": pl.Int64,
    "pending": pl.Int64,
    "excluded": pl.Int64,
    "due_fallback": pl.Int64,
    "line_fill_rate_pct": pl.Float64,
    "volume_fill_rate_pct": pl.Float64,
    "dpmo": pl.Float64,
    "sigma": pl.Float64,
}

LINE_DEFAULTS: dict[str, Any] = {
    "order_key": "O1",
    "requested_date": None,
    "first_committed_date": None,
    "committed_date": None,
    "ordered_qty": 100.0,
    "line_value": None,
    "status": "open",
    "manual_exclusion": None,
}


def make_lines(
    rows: list[dict[str, Any]],
    *,
    with_manual_column: bool = True,
    order_key_dtype: Any = pl.String,
) -> pl.DataFrame:
    """Lines frame from partial dicts; missing fields take LINE_DEFAULTS."""
    schema = dict(LINE_SCHEMA, order_key=order_key_dtype)
    if not with_manual_column:
        schema.pop("manual_exclusion")
    full = [{name: {**LINE_DEFAULTS, **row}.get(name) for name in schema} for row in rows]
    return pl.DataFrame(full, schema=schema)


def make_deliveries(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Deliveries frame from partial dicts; missing dates are null."""
    full = [
        {
            "line_id": row["line_id"],
            "shipped_date": row.get("shipped_date"),
            "delivered_date": row.get("delivered_date"),
            "quantity": float(row["quantity"]),
        }
        for row in rows
    ]
    return pl.DataFrame(full, schema=DELIVERY_SCHEMA)


OUTCOME_DEFAULTS: dict[str, Any] = {
    "order_key": "O1",
    "state": "measured",
    "exclusion": None,
    "due_date": dt.date(2026, 3, 10),
    "due_basis": "committed",
    "due_fallback": False,
    "period": None,  # derived from due_date when not given
    "ordered_qty": 100.0,
    "line_value": None,
    "delivered_qty": 100.0,
    "delivery_count": 1,
    "completion_date": None,
    "decisive_date": None,
    "days_late": 0,
    "on_time": True,
    "in_full": True,
    "otif": None,  # on_time and in_full when not given (measured lines)
    "delay_class": None,
    "failure_kind": None,
}


def make_outcomes(rows: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> pl.DataFrame:
    """An outcome frame (the shape `evaluate` returns) from partial dicts.

    `extra` maps additional column names (joined by a caller, e.g. product, excused) to dtypes.
    """
    schema = dict(OUTCOME_DTYPES, **(extra or {}))
    full = []
    for i, row in enumerate(rows, start=1):
        item = {"line_id": i, **OUTCOME_DEFAULTS, **row}
        if item["period"] is None and item["due_date"] is not None:
            item["period"] = item["due_date"].replace(day=1)
        if item["state"] != "measured":
            item.update(on_time=None, in_full=None, otif=None)
        elif item["otif"] is None:
            item["otif"] = bool(item["on_time"] and item["in_full"])
        full.append({name: item.get(name) for name in schema})
    return pl.DataFrame(full, schema=schema)


# --------------------------------------------------------------------------- per-line reference


def _due(line: dict[str, Any], chain: tuple[str, ...]) -> tuple[dt.date | None, str | None]:
    for basis in chain:
        value = line.get(f"{basis}_date")
        if value is not None:
            return value, basis
    return None, None


def delay_class(days_late: int) -> str:
    if days_late <= 2:
        return "1-2"
    if days_late <= 7:
        return "3-7"
    if days_late <= 14:
        return "8-14"
    return ">14"


def evaluate_line(
    line: dict[str, Any], deliveries: list[dict[str, Any]], definition: Any, as_of: dt.date
) -> dict[str, Any]:
    """One line's outcome, step by step as kpis.md section 1 reads."""
    date_field = "delivered_date" if definition.measured_at == "delivery" else "shipped_date"

    due, due_basis = _due(line, definition.due_chain)
    late_limit = due + dt.timedelta(days=definition.late_days) if due is not None else None
    early_limit = (
        due - dt.timedelta(days=definition.early_days)
        if due is not None and definition.early_days is not None
        else None
    )

    # D: deliveries dated on or before as-of, in date order.
    counted = sorted(
        (
            (d[date_field], d["quantity"])
            for d in deliveries
            if d[date_field] is not None and d[date_field] <= as_of
        ),
        key=lambda pair: pair[0],
    )
    ordered = line["ordered_qty"]
    lower = ordered * (1 - definition.under_pct / 100)
    upper = math.inf if definition.over_pct is None else ordered * (1 + definition.over_pct / 100)

    q_total = 0.0
    for _, quantity in counted:
        q_total += quantity

    completion = None
    running = 0.0
    for day, quantity in counted:
        running += quantity
        if running >= lower:
            completion = day
            break

    if completion is not None:
        decisive = completion
    elif counted:
        decisive = counted[-1][0]
    else:
        decisive = None

    days_late = (decisive - due).days if decisive is not None and due is not None else None
    past_due = due is not None and as_of > late_limit

    manual = line.get("manual_exclusion")
    if manual is not None:
        exclusion = "manual"
    elif line["status"] == "cancelled" and "cancelled" in definition.exclusions:
        exclusion = "cancelled"
    elif ordered == 0 and "zero_quantity" in definition.exclusions:
        exclusion = "zero_quantity"
    elif due is None:
        exclusion = "no_due_date"
    elif definition.open_overdue == "exclude" and past_due and not counted:
        exclusion = "open_overdue"
    else:
        exclusion = None

    if exclusion is not None:
        state = "excluded"
    elif completion is not None or past_due:
        state = "measured"
    else:
        state = "pending"

    on_time = in_full = otif = None
    klass = kind = None
    if state == "measured":
        early_delivery = early_limit is not None and any(day < early_limit for day, _ in counted)
        in_full = lower <= q_total <= upper
        on_time = (
            bool(counted)
            and decisive <= late_limit
            and (early_limit is None or decisive >= early_limit)
            and not early_delivery
        )
        otif = on_time and in_full
        if days_late is not None and days_late > definition.late_days:
            klass = delay_class(days_late)
        if not otif:
            late = decisive is not None and decisive > late_limit
            short = q_total < lower
            if not counted:
                kind = "not_delivered"
            elif late and short:
                kind = "late_and_short"
            elif late:
                kind = "late"
            elif short:
                kind = "short"
            elif q_total > upper:
                kind = "over"
            elif early_delivery:
                kind = "early"

    return {
        "line_id": line["line_id"],
        "order_key": line["order_key"],
        "state": state,
        "exclusion": exclusion,
        "due_date": due,
        "due_basis": due_basis,
        "due_fallback": due_basis is not None and due_basis != definition.basis,
        "period": due.replace(day=1) if due is not None else None,
        "ordered_qty": ordered,
        "line_value": line.get("line_value"),
        "delivered_qty": q_total,
        "delivery_count": len(counted),
        "completion_date": completion,
        "decisive_date": decisive,
        "days_late": days_late,
        "on_time": on_time,
        "in_full": in_full,
        "otif": otif,
        "delay_class": klass,
        "failure_kind": kind,
    }


def reference_evaluate(
    lines: pl.DataFrame, deliveries: pl.DataFrame, definition: Any, as_of: dt.date
) -> list[dict[str, Any]]:
    """Every line's outcome, sorted by line_id."""
    by_line: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for delivery in deliveries.to_dicts():
        by_line[delivery["line_id"]].append(delivery)
    outcomes = [
        evaluate_line(line, by_line[line["line_id"]], definition, as_of)
        for line in lines.to_dicts()
    ]
    return sorted(outcomes, key=lambda row: row["line_id"])


# --------------------------------------------------------------------------- summary reference

TIME_KEYS = ("month", "quarter")


def month_of(period: dt.date | None) -> str | None:
    return None if period is None else f"{period.year:04d}-{period.month:02d}"


def quarter_of(period: dt.date | None) -> str | None:
    return None if period is None else f"{period.year:04d}Q{(period.month - 1) // 3 + 1}"


def _time_value(key: str, period: dt.date | None) -> str | None:
    return month_of(period) if key == "month" else quarter_of(period)


def _pct(numerator: float, denominator: float) -> float | None:
    """Unrounded percent; the engine rounds to 2 decimals (compare with a 0.005 tolerance)."""
    return None if not denominator else 100 * numerator / denominator


def sigma_from_dpmo(value: float | None) -> float | None:
    if value is None or value <= 0 or value >= 1_000_000:
        return None
    return NormalDist().inv_cdf(1 - value / 1_000_000) + 1.5


def reference_summary(
    outcomes: list[dict[str, Any]], by: list[str], grain: str, net: bool = False
) -> dict[tuple, dict[str, Any]]:
    """Figures per group, keyed by the tuple of by-key values. Percents are *unrounded*.

    Line figures (due_fallback, fill rates; pending and excluded except at order grain) put each
    line in the group of its own period. Units (count ... otif, failed, dpmo) are lines, or at order grain orders: an order
    unit is (order_key, the non-time by-keys) over its measured lines, reported in the month /
    quarter of the earliest due date among those lines.
    """
    other_keys = [k for k in by if k not in TIME_KEYS]

    def ok(row: dict[str, Any], flag: str) -> bool:
        return bool(row[flag]) or (net and bool(row.get("excused")))

    def group_key(row: dict[str, Any], period: dt.date | None) -> tuple:
        return tuple(_time_value(k, period) if k in TIME_KEYS else row[k] for k in by)

    lines_by_group: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for row in outcomes:
        lines_by_group[group_key(row, row["period"])].append(row)
    if not by and not lines_by_group:
        lines_by_group[()] = []

    # Units: (weight, on_time, in_full, otif) per group.
    units_by_group: dict[tuple, list[tuple[float, bool, bool, bool]]] = defaultdict(list)
    measured_all = [r for r in outcomes if r["state"] == "measured"]
    if grain == "order":
        orders: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
        for r in measured_all:
            orders[(r["order_key"], *(r[k] for k in other_keys))].append(r)
        for members in orders.values():
            earliest = min(r["due_date"] for r in members)
            key = group_key(members[0], earliest.replace(day=1))
            units_by_group[key].append(
                (
                    1.0,
                    all(ok(r, "on_time") for r in members),
                    all(ok(r, "in_full") for r in members),
                    all(ok(r, "otif") for r in members),
                )
            )
    else:
        for r in measured_all:
            if grain == "line":
                weight = 1.0
            elif grain == "quantity":
                weight = r["ordered_qty"]
            else:
                weight = r["line_value"] or 0.0
            key = group_key(r, r["period"])
            units_by_group[key].append((weight, ok(r, "on_time"), ok(r, "in_full"), ok(r, "otif")))

    # At order grain pending and excluded count orders (kpis.md 1 grains): an order with a
    # measured line is a unit; one without is pending if any line is pending, else excluded,
    # in the month of the earliest due date of its lines.
    order_states: dict[tuple, dict[str, int]] = defaultdict(lambda: {"pending": 0, "excluded": 0})
    if grain == "order":
        every: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
        for r in outcomes:
            every[(r["order_key"], *(r[k] for k in other_keys))].append(r)
        for members in every.values():
            if any(r["state"] == "measured" for r in members):
                continue
            periods = [r["period"] for r in members if r["period"] is not None]
            key = group_key(members[0], min(periods) if periods else None)
            state = "pending" if any(r["state"] == "pending" for r in members) else "excluded"
            order_states[key][state] += 1

    def unmeasured(key: tuple, rows: list[dict[str, Any]], state: str) -> int:
        if grain == "order":
            return order_states[key][state]
        return sum(1 for r in rows if r["state"] == state)

    result = {}
    for key in set(lines_by_group) | set(units_by_group):
        rows = lines_by_group[key]
        units = units_by_group[key]
        measured = [r for r in rows if r["state"] == "measured"]
        weight = sum(u[0] for u in units)
        on_time = sum(u[0] for u in units if u[1])
        in_full = sum(u[0] for u in units if u[2])
        otif = sum(u[0] for u in units if u[3])
        ordered_total = sum(r["ordered_qty"] for r in measured)
        filled = sum(min(r["delivered_qty"], r["ordered_qty"]) for r in measured)
        dpmo_value = None if not weight else (1 - otif / weight) * 1_000_000
        result[key] = {
            **dict(zip(by, key, strict=True)),
            "grain": grain,
            "count": len(units),
            "weight": float(weight),
            "on_time": float(on_time),
            "in_full": float(in_full),
            "otif": float(otif),
            "on_time_pct": _pct(on_time, weight),
            "in_full_pct": _pct(in_full, weight),
            "otif_pct": _pct(otif, weight),
            "failed": sum(1 for u in units if not u[3]),
            "pending": unmeasured(key, rows, "pending"),
            "excluded": unmeasured(key, rows, "excluded"),
            "due_fallback": sum(1 for r in measured if r["due_fallback"]),
            "line_fill_rate_pct": _pct(sum(1 for r in measured if ok(r, "in_full")), len(measured)),
            "volume_fill_rate_pct": _pct(filled, ordered_total),
            "dpmo": dpmo_value,
            "sigma": sigma_from_dpmo(dpmo_value),
        }
    return result
