"""The scorecard's KPIs (kpis.md 2, 4, 5, 8 and 9) as data: name, unit, direction and default target.

One list, read by the agreement targets (performance.KpiTarget), the scorecard service, its
exports and the dashboard's functional-area KPIs, so a KPI is named the same everywhere.
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Kpi(NamedTuple):
    code: str
    name: str
    group: str
    unit: str  # "%", "per 100 batches", "events", "days", "of 5"
    higher_is_better: bool
    default_target: float
    # The amber band, in the KPI's unit. The CMO-caused stock-out KPIs (target 0) have none: a
    # single CMO-caused stock-out is off target unless the agreement sets a tolerance.
    default_tolerance: float
    definition: str
    area: str | None = None  # the functional area (level 3 of the cascade) it measures


DELIVERY = "Delivery"
STOCK_OUTS = "Customer stock-outs"
ESCALATIONS = "Escalations"
OPERATIONS = "Operations"
QUALITY = "Quality"
SATISFACTION = "Satisfaction"
GROUPS = (DELIVERY, STOCK_OUTS, ESCALATIONS, OPERATIONS, QUALITY, SATISFACTION)

KPIS = (
    Kpi(
        "otif_net",
        "Net OTIF",
        DELIVERY,
        "%",
        True,
        95.0,
        5.0,
        "Order lines on time and in full, counting failures with an approved root cause outside "
        "the CMO as met (line grain)",
    ),
    Kpi(
        "otif_gross",
        "Gross OTIF",
        DELIVERY,
        "%",
        True,
        95.0,
        5.0,
        "Order lines on time and in full, every failure counted (line grain)",
    ),
    Kpi(
        "on_time",
        "On-time delivery",
        DELIVERY,
        "%",
        True,
        95.0,
        5.0,
        "Order lines delivered on time (line grain)",
    ),
    Kpi(
        "ship_on_time",
        "Ship on planned date",
        DELIVERY,
        "%",
        True,
        95.0,
        5.0,
        "Deliveries shipped on or before the line's planned ship date / deliveries shipped",
        "shipping",
    ),
    Kpi(
        "notices_in_advance",
        "Delays announced in advance",
        DELIVERY,
        "%",
        True,
        80.0,
        10.0,
        "Late lines (measured, not on time) covered by a delay notice sent at least 1 day before "
        "the due date / late lines",
    ),
    Kpi(
        "notice_lead_time",
        "Notice lead time",
        DELIVERY,
        "days",
        True,
        5.0,
        2.0,
        "Median of (due date - first notice date) in days over the late lines announced in advance",
    ),
    Kpi(
        "oos_events",
        "Stock-outs caused by the CMO",
        STOCK_OUTS,
        "events",
        False,
        0.0,
        0.0,
        "Client stock-outs starting in the period with a failed, CMO-attributable line of the "
        "product due within the look-back before them",
    ),
    Kpi(
        "oos_days",
        "Stock-out days caused by the CMO",
        STOCK_OUTS,
        "days",
        False,
        0.0,
        0.0,
        "Days within the period that CMO-caused stock-outs lasted (an open one until today)",
    ),
    Kpi(
        "oos_share",
        "Share of stock-outs caused by the CMO",
        STOCK_OUTS,
        "%",
        False,
        0.0,
        0.0,
        "CMO-caused stock-outs / all stock-outs starting in the period",
    ),
    Kpi(
        "escalations_acknowledged",
        "Escalations acknowledged in time",
        ESCALATIONS,
        "%",
        True,
        90.0,
        5.0,
        "Escalations whose first level's deadline falls in the period (the site's local date) "
        "acknowledged by that deadline / those whose deadline has passed; one still "
        "unacknowledged past its deadline is a miss",
    ),
    Kpi(
        "schedule_adherence",
        "Schedule adherence",
        OPERATIONS,
        "%",
        True,
        90.0,
        5.0,
        "Per product and week: sum(plan - |plan - released|) / sum(plan); over- and "
        "under-production both penalise",
        "planning",
    ),
    Kpi(
        "material_readiness",
        "Material readiness",
        OPERATIONS,
        "%",
        True,
        95.0,
        5.0,
        "Batches whose materials were ready by the planned start / batches started",
        "materials",
    ),
    Kpi(
        "qc_release_on_time",
        "QC release on time",
        OPERATIONS,
        "%",
        True,
        90.0,
        5.0,
        "Batches released on or before the planned release date / batches released",
        "quality",
    ),
    Kpi(
        "incident_rate",
        "Incident rate",
        QUALITY,
        "per 100 batches",
        False,
        10.0,
        5.0,
        "Deviations opened per 100 batches completed in the period (by severity)",
    ),
    Kpi(
        "right_first_time",
        "Right first time",
        QUALITY,
        "%",
        True,
        90.0,
        5.0,
        "Batches completed with no deviation, no rework and not rejected / batches completed",
        "manufacturing",
    ),
    Kpi(
        "lot_acceptance",
        "Lot acceptance rate",
        QUALITY,
        "%",
        True,
        98.0,
        2.0,
        "Lots released / lots dispositioned (released + rejected)",
    ),
    Kpi(
        "yield",
        "Yield",
        QUALITY,
        "%",
        True,
        95.0,
        3.0,
        "Mean of actual / theoretical output per batch completed",
    ),
    Kpi(
        "capa_on_time",
        "CAPA on time",
        QUALITY,
        "%",
        True,
        90.0,
        5.0,
        "Corrective actions closed by their due date / corrective actions due in the period",
    ),
    Kpi(
        "satisfaction",
        "Customer satisfaction",
        SATISFACTION,
        "of 5",
        True,
        4.0,
        0.5,
        "Mean of the client's survey ratings (1 to 5) for the quarter",
    ),
)

KPI_BY_CODE = {k.code: k for k in KPIS}
# The operational KPI of each functional area (level 3 of the cascade, kpis.md 2).
AREA_KPIS = {k.area: k for k in KPIS if k.area}


def format_value(value: float | None, unit: str) -> str:
    """How a KPI value is written everywhere (page, PDF, deck, XLSX): one rule, one place.
    An infinite or undefined value (nan) is no figure at all: "no data", never "inf %"."""
    if value is None or not math.isfinite(value):
        return "no data"
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "of 5":
        return f"{value:.2f} of 5"
    if unit in ("events", "days"):
        count = round(value)
        return f"{count} {unit if count != 1 else unit.removesuffix('s')}"
    return f"{value:.1f} {unit}"
