"""A slow per-line reference for the projection engine, written from kpis.md 8 (and the choices
listed in tower/engine/projection.py's docstring), with plain Python loops over dicts.

Nothing of the engine's code is reused: open lines come from the OTIF reference
(tests/engine/reference.py), the rest is walked milestone by milestone as the spec reads.
Also holds the frame builders the projection tests share.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import statistics
from collections import defaultdict
from typing import Any

import polars as pl

from tower.engine.schemas import BATCH_SCHEMA, PROJECTION_LINE_SCHEMA, STOCK_SCHEMA

from .reference import LINE_DEFAULTS, LINE_SCHEMA, evaluate_line, make_deliveries

__all__ = ["make_deliveries"]

MILESTONES = (
    "material_ready",
    "production_start",
    "production_end",
    "qc_release",
    "ship",
    "arrival",
)
AREA = {
    "material_ready": "materials",
    "production_start": "planning",
    "production_end": "manufacturing",
    "qc_release": "quality",
    "ship": "shipping",
    "arrival": "shipping",
}

FULL_LINE_SCHEMA = {**LINE_SCHEMA, **PROJECTION_LINE_SCHEMA}
PROJECTION_LINE_DEFAULTS = {
    **LINE_DEFAULTS,
    "product": "P1",
    "site": "S1",
    "ship_to": "DE",
    "transport_mode": "road",
    "planned_ship_date": None,
    "planned_batch": None,
}


def make_lines(rows: list[dict[str, Any]]) -> pl.DataFrame:
    full = [
        {name: {**PROJECTION_LINE_DEFAULTS, **row}.get(name) for name in FULL_LINE_SCHEMA}
        for row in rows
    ]
    return pl.DataFrame(full, schema=FULL_LINE_SCHEMA)


def make_batches(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{name: row.get(name) for name in BATCH_SCHEMA} for row in rows], schema=BATCH_SCHEMA
    )


def make_stock(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{name: row.get(name) for name in STOCK_SCHEMA} for row in rows], schema=STOCK_SCHEMA
    )


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _seen(value: dt.date | None, as_of: dt.date) -> dt.date | None:
    return value if value is not None and value <= as_of else None


def _lane_transit(lines, deliveries, as_of, default) -> dict[tuple, tuple[int, bool]]:
    lane_of = {
        line["line_id"]: (line["site"], line["ship_to"], line["transport_mode"]) for line in lines
    }
    spans: dict[tuple, list[int]] = defaultdict(list)
    for d in deliveries:
        if d["shipped_date"] is None or d["delivered_date"] is None:
            continue
        if not (as_of - _days(365) < d["delivered_date"] <= as_of):
            continue
        if d["line_id"] in lane_of:
            spans[lane_of[d["line_id"]]].append((d["delivered_date"] - d["shipped_date"]).days)
    out = {}
    for lane in set(lane_of.values()):
        values = spans.get(lane, [])
        if len(values) >= 5:
            out[lane] = (max(0, math.ceil(statistics.median(values))), True)
        else:
            out[lane] = (default, False)
    return out


def _shipped_on(line, deliveries, definition, as_of) -> dt.date | None:
    lower = line["ordered_qty"] * (1 - definition.under_pct / 100)
    shipments = sorted(
        (d["shipped_date"] or d["delivered_date"], d["quantity"])
        for d in deliveries
        if (d["shipped_date"] or d["delivered_date"]) is not None
        and (d["shipped_date"] or d["delivered_date"]) <= as_of
    )
    running = 0.0
    for i, (day, qty) in enumerate(shipments):
        running += qty
        end_of_day = i + 1 == len(shipments) or shipments[i + 1][0] != day
        if end_of_day and running >= lower:
            return day
    return None


def project_line(line, deliveries, batch, definition, as_of, settings, transit):
    """One open line's projection, or None when the line is not open."""
    outcome = evaluate_line(line, deliveries, definition, as_of)
    if outcome["exclusion"] is not None or outcome["completion_date"] is not None:
        return None
    if (line["status"] or "open") == "closed":
        return None
    due = outcome["due_date"]
    transit_days, from_lane = transit
    has_batch = batch is not None
    disposition = (batch or {}).get("disposition")
    disposition = disposition.lower() if disposition else None

    actual = {
        "ship": _seen(_shipped_on(line, deliveries, definition, as_of), as_of),
        "arrival": None,
    }
    own = {"ship": line["planned_ship_date"], "arrival": None}
    lead = {"ship": settings.ship_days, "arrival": transit_days}
    if has_batch:
        actual.update(
            material_ready=_seen(batch["material_ready_date"], as_of),
            production_start=_seen(batch["actual_start"], as_of),
            production_end=_seen(batch["actual_end"], as_of),
            qc_release=_seen(batch["actual_release_date"], as_of)
            if disposition == "released"
            else None,
        )
        own.update(
            material_ready=batch["planned_start"],
            production_start=batch["planned_start"],
            production_end=batch["planned_end"],
            qc_release=batch["planned_release_date"],
        )
        lead.update(
            material_ready=0,
            production_start=0,
            production_end=settings.production_days,
            qc_release=settings.release_days,
        )
        names = list(MILESTONES)
    else:
        names = ["ship", "arrival"]

    planned: dict[str, dt.date | None] = {}
    prev_planned = None
    for i, m in enumerate(names):
        value = own[m]
        if value is None and i > 0 and prev_planned is not None:
            value = prev_planned + _days(lead[m])
        planned[m] = value
        prev_planned = value

    # The nearest later actual stands in for a missing one.
    done: dict[str, dt.date | None] = {}
    for i, m in enumerate(names):
        done[m] = next((actual[n] for n in names[i:] if actual[n] is not None), None)

    projected: dict[str, dt.date] = {}
    slip: dict[str, int] = {}
    prev_slip, prev_proj = 0, as_of
    for i, m in enumerate(names):
        if done[m] is not None:
            value = done[m]
        elif planned[m] is not None:
            value = max(as_of, planned[m] + _days(prev_slip))
        else:
            value = max(as_of, prev_proj + _days(lead[m] if i > 0 else 0))
        projected[m] = value
        slip[m] = max(0, (value - planned[m]).days) if planned[m] is not None else 0
        prev_slip, prev_proj = slip[m], value

    measured = "ship" if definition.measured_at == "shipment" else "arrival"
    window_end = due + _days(definition.late_days)
    rejected = has_batch and disposition == "rejected"
    unplanned = not has_batch and line["planned_ship_date"] is None and actual["ship"] is None
    D = None
    days_late = cause = area = None
    if rejected:
        risk, cause, area = "no_supply", "qc_release", "quality"
        for m in ("qc_release", "ship", "arrival"):
            projected[m] = slip[m] = None
    elif unplanned:
        risk = "no_plan" if due <= as_of + _days(settings.horizon_days) else "on_track"
        area = "planning" if risk == "no_plan" else None
        for m in names:
            projected[m] = slip[m] = None
    else:
        D = projected[measured]
        if window_end < D:
            risk = "late"
            days_late = (D - due).days
            best, best_inc, previous = None, 0, 0
            for m in names:
                inc = slip[m] - previous
                if inc > best_inc:
                    best, best_inc = m, inc
                previous = slip[m]
            cause = best or "planned_late"
            area = AREA[best] if best else "planning"
        elif (window_end - D).days <= settings.tight_days:
            risk = "tight"
        else:
            risk = "on_track"

    row = {
        "line_id": line["line_id"],
        "due_date": due,
        "period": outcome["period"],
        "remaining_qty": max(0.0, outcome["ordered_qty"] - outcome["delivered_qty"]),
        "transit_days": transit_days,
        "transit_from_lane": from_lane,
        "risk": risk,
        "projected_date": D,
        "projected_days_late": days_late,
        "cause_milestone": cause,
        "cause_area": area,
        "stock_out_from": None,
    }
    for m in MILESTONES:
        row[f"{m}_planned"] = planned.get(m)
        row[f"{m}_actual"] = actual.get(m)
        row[f"{m}_projected"] = projected.get(m)
        row[f"{m}_slip"] = slip.get(m)
    return row


def reference_project(
    lines: pl.DataFrame,
    deliveries: pl.DataFrame,
    batches: pl.DataFrame,
    definition,
    as_of: dt.date,
    settings,
    stock: pl.DataFrame | None = None,
) -> list[dict[str, Any]]:
    line_rows = lines.to_dicts()
    delivery_rows = deliveries.to_dicts()
    by_line = defaultdict(list)
    for d in delivery_rows:
        by_line[d["line_id"]].append(d)
    batch_of = {b["batch"]: b for b in batches.to_dicts()}
    transit = _lane_transit(line_rows, delivery_rows, as_of, settings.transit_days)
    out = []
    for line in line_rows:
        row = project_line(
            line,
            by_line[line["line_id"]],
            batch_of.get(line["planned_batch"]),
            definition,
            as_of,
            settings,
            transit[(line["site"], line["ship_to"], line["transport_mode"])],
        )
        if row is not None:
            out.append(row)
    if stock is not None:
        _stock_outs(out, {line["line_id"]: line for line in line_rows}, stock, as_of)
    return sorted(out, key=lambda r: r["line_id"])


def _stock_outs(rows, line_of, stock, as_of) -> None:
    latest: dict[tuple, dict] = {}
    for s in sorted(stock.to_dicts(), key=lambda s: s["date"]):
        if s["date"] <= as_of and (s["daily_demand"] or 0) > 0:
            latest[(s["product"], s["location"])] = s
    for (product, location), s in latest.items():
        cover = max(0.0, s["on_hand"]) / s["daily_demand"]
        arriving = sorted(
            (
                r
                for r in rows
                if r["arrival_projected"] is not None
                and line_of[r["line_id"]]["product"] == product
                and line_of[r["line_id"]]["ship_to"] == location
            ),
            key=lambda r: (r["arrival_projected"], r["line_id"]),
        )
        for r in arriving:
            at = (r["arrival_projected"] - s["date"]).days
            if at > cover:
                r["stock_out_from"] = s["date"] + _days(math.floor(cover))
                break
            cover += r["remaining_qty"] / s["daily_demand"]


def settings_with(**changes):
    from tower.engine.projection import ProjectionSettings

    return dataclasses.replace(ProjectionSettings(), **changes)
