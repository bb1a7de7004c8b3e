"""Every scorecard KPI of one period as a Measure, and the records behind it.

The scorecard (with its trend), the KPI detail pages and the exports all come through here, and
the frame KPIs through tower.performance.functions (which the dashboard's functional-area KPIs
use too), so a KPI is computed one way only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import polars as pl

from tower.engine import scorecard as kpis
from tower.engine.scorecard import Measure, no_data, share
from tower.performance import frozen
from tower.performance.dashboard import Totals
from tower.performance.functions import FRAME_KPIS, Records
from tower.performance.models import RootCauseStatus
from tower.scorecards.models import SurveyResponse
from tower.tenancy.models import Client


def read_records(clients: Sequence[Client], start: dt.date, end: dt.date) -> Records:
    """Every record frame of the scorecard for some clients and a span of dates; a closed
    month's rows come from its snapshot (tower.performance.frozen), the notice KPIs' late lines
    too (frozen with the close, registered by tower.communications)."""
    kinds = frozen.record_kinds()
    found = frozen.frozen(clients, start, end, kinds)
    frames = {
        kind: frozen.merged(kind, frozen.KINDS[kind][0](clients, start, end), found, start, end)
        for kind in kinds
    }
    return Records(**frames)


def read_kind(kind: str, clients: Sequence[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    """One kind of record (tower.performance.frozen.KINDS) for start..end: a closed month's rows
    from its snapshot, the open months' live."""
    found = frozen.frozen(clients, start, end, (kind,))
    return frozen.merged(kind, frozen.KINDS[kind][0](clients, start, end), found, start, end)


def measured_lines(client: Client, start: dt.date, end: dt.date) -> pl.DataFrame:
    """The client's measured lines of start..end, as at the close for a closed month, with
    `met_net`: the line meets net OTIF (OTIF, or excused by an approved cause outside the CMO)."""
    return (
        read_kind("lines", [client], start, end)
        .with_columns(net_met().alias("met_net"))
        .sort("due_date", "order", "line")
    )


def net_met() -> pl.Expr:
    """A measured line meets net OTIF: OTIF, or excused by an approved cause outside the CMO."""
    excused = (pl.col("root_cause_status") == RootCauseStatus.APPROVED) & ~pl.col(
        "cmo_attributable"
    )
    return pl.col("otif") | excused.fill_null(False)


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
    measures.update(kpis.notice_measures(records.late_lines, start, end)[1])
    measures["satisfaction"] = survey_measure(responses)
    return measures
