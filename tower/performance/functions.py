"""The operational KPI of each functional area (level 3 of the cascade), and the frame KPIs.

The dashboard shows each function's own KPI next to the failures traced to it; the scorecard
(tower.scorecards.measures) computes the same KPIs with the same table, so a KPI is computed
one way only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl

from tower.engine import schemas as engine_schemas
from tower.engine import scorecard as kpis
from tower.engine.kpi_catalogue import AREA_KPIS, Kpi
from tower.engine.scorecard import Measure
from tower.performance import frozen
from tower.performance import records as data
from tower.tenancy.models import Client


@dataclass(frozen=True)
class Records:
    """The frames tower.engine.scorecard reads, for some clients and a span of dates."""

    batches: pl.DataFrame
    deviations: pl.DataFrame
    capas: pl.DataFrame
    plan: pl.DataFrame
    monthly_shipping: pl.DataFrame
    stock_outs: pl.DataFrame
    # Late lines with their first delay notice (tower.communications.records; the scorecard
    # reads them, the dashboard's area KPIs do not).
    late_lines: pl.DataFrame = field(default_factory=pl.DataFrame)
    # Escalations with their first deadline and acknowledgement (tower.escalations.records;
    # the scorecard reads them, the dashboard's area KPIs do not).
    escalations: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=engine_schemas.ESCALATION_SCHEMA)
    )


Computed = tuple[pl.DataFrame, Measure]
# KPI code -> (records, start, end, as_of) -> (the rows it counted, the measure).
FRAME_KPIS: dict[str, Callable[[Records, dt.date, dt.date, dt.date], Computed]] = {
    "ship_on_time": lambda r, s, e, a: kpis.monthly_ship_on_time(r.monthly_shipping, s, e),
    "schedule_adherence": lambda r, s, e, a: kpis.schedule_adherence(r.plan, s, e, a),
    "material_readiness": lambda r, s, e, a: kpis.material_readiness(r.batches, s, e),
    "qc_release_on_time": lambda r, s, e, a: kpis.qc_release_on_time(r.batches, s, e),
    "incident_rate": lambda r, s, e, a: kpis.incident_rate(r.batches, r.deviations, s, e),
    "right_first_time": lambda r, s, e, a: kpis.right_first_time(r.batches, s, e),
    "lot_acceptance": lambda r, s, e, a: kpis.lot_acceptance(r.batches, s, e),
    "yield": lambda r, s, e, a: kpis.batch_yield(r.batches, s, e),
    "capa_on_time": lambda r, s, e, a: kpis.capa_on_time(r.capas, s, e, a),
}


def area_measures(
    clients: Sequence[Client],
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    *,
    site: str | None = None,
    product: str | None = None,
) -> dict[str, tuple[Kpi, Measure]]:
    """The operational KPI of each functional area (level 3 of the cascade) over start..end.

    The dashboard calls this on every page: only the batches, plan weeks and monthly shipping
    counts these KPIs use are read.
    """
    narrow = [pl.col(c) == v for c, v in (("site", site), ("product", product)) if v]
    nothing = pl.DataFrame()  # deviations, CAPAs and stock-outs: no area KPI reads them
    # A closed month is read from its snapshot (tower.performance.frozen), narrowed likewise.
    found = frozen.frozen(clients, start, end, ("batches", "plan", "monthly_shipping"))

    def read(kind: str, live: pl.DataFrame, snapshot_filter=()) -> pl.DataFrame:
        return frozen.merged(kind, live, found, start, end, snapshot_filter=snapshot_filter)

    # The live counts are narrowed by the query; a snapshot's rows (per site and product) here.
    shipping = read(
        "monthly_shipping",
        data.monthly_shipping(clients, start, end, site=site, product=product),
        narrow,
    )
    records = Records(
        batches=read("batches", data.batches(clients, start, end)).filter(*narrow),
        deviations=nothing,
        capas=nothing,
        plan=read("plan", data.plan(clients, start, end)).filter(*narrow),
        monthly_shipping=shipping,
        stock_outs=nothing,
    )
    return {
        area: (kpi, FRAME_KPIS[kpi.code](records, start, end, as_of)[1])
        for area, kpi in AREA_KPIS.items()
    }
