"""Every scorecard KPI of one period as a Measure, and the records behind it.

The scorecard (with its trend), the KPI detail pages, the exports and the dashboard's
functional-area KPIs all come through here, so a KPI is computed one way only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from tower.engine import scorecard as kpis
from tower.engine.kpi_catalogue import AREA_KPIS, Kpi
from tower.engine.scorecard import Measure, no_data, share
from tower.performance.dashboard import Totals
from tower.scorecards import data
from tower.scorecards.models import SurveyResponse
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

    @classmethod
    def read(cls, clients: Sequence[Client], start: dt.date, end: dt.date) -> Records:
        return cls(
            batches=data.batches(clients, start, end),
            deviations=data.deviations(clients, start, end),
            capas=data.capas(clients, start, end),
            plan=data.plan(clients, start, end),
            monthly_shipping=data.monthly_shipping(clients, start, end),
            stock_outs=data.stock_outs(clients, start, end),
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
OTIF_KPIS = {"otif_net": "net_otif", "otif_gross": "otif", "on_time": "on_time"}
STOCK_OUT_KPIS = ("oos_events", "oos_days", "oos_share")


def otif_measures(totals: Totals) -> dict[str, Measure]:
    """Net and gross OTIF and on-time delivery from summed monthly figures (line grain)."""
    return {
        code: share(totals.counts[column], totals.lines, "lines")
        for code, column in OTIF_KPIS.items()
    }


def survey_measure(responses: Iterable[SurveyResponse]) -> Measure:
    ratings = [r for response in responses for r in response.ratings()]
    count = len(ratings) // len(SurveyResponse.QUESTIONS)
    if not ratings:
        return no_data("no survey response")
    return Measure(
        sum(ratings) / len(ratings),
        None,
        count,
        f"mean of {len(ratings):,} ratings in {count:,} response{'s' if count != 1 else ''}",
    )


def period_measures(
    records: Records,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    totals: Totals,
    responses: Iterable[SurveyResponse],
) -> dict[str, Measure]:
    """Every KPI of the catalogue for the period start..end."""
    measures = otif_measures(totals)
    for code, compute in FRAME_KPIS.items():
        measures[code] = compute(records, start, end, as_of)[1]
    _, stock_out = kpis.stock_out_measures(
        records.stock_outs, start, end, as_of, measured=totals.lines > 0
    )
    measures.update(stock_out)
    measures["satisfaction"] = survey_measure(responses)
    return measures


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
    records = Records(
        batches=data.batches(clients, start, end).filter(*narrow),
        deviations=nothing,
        capas=nothing,
        plan=data.plan(clients, start, end).filter(*narrow),
        monthly_shipping=data.monthly_shipping(clients, start, end, site=site, product=product),
        stock_outs=nothing,
    )
    return {
        area: (kpi, FRAME_KPIS[kpi.code](records, start, end, as_of)[1])
        for area, kpi in AREA_KPIS.items()
    }
