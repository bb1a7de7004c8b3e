"""The client scorecard: one service computes it; the page, the CLI and every export read it.

    card = build_scorecard(client, parse_period("2026Q3"))
    card.kpi("otif_net").value, card.kpi("otif_net").status, card.to_dict()

A scorecard holds, for one client and one period (a quarter or a month), every KPI of
tower.engine.kpi_catalogue with its value, the agreement target and status colour
(kpis.md 7; a KPI with nothing measured is "no data"), the previous four periods as a trend,
the CMO's commentary, the agreed actions, the survey result, the stock-outs and the penalty
exposure. The records behind each KPI come from tower.scorecards.evidence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tower.engine.kpi_catalogue import GROUPS, Kpi
from tower.engine.periods import Period
from tower.tenancy.models import Client

TREND_PERIODS = 4  # previous periods shown next to each KPI


@dataclass(frozen=True)
class TrendPoint:
    period: str  # key, e.g. "2026Q2"
    label: str  # e.g. "Q2 2026"
    value: float | None  # None: no data


@dataclass(frozen=True)
class KpiResult:
    kpi: Kpi
    value: float | None  # None: no data
    numerator: float | None  # e.g. lines on time (None for means such as yield)
    denominator: float | None  # e.g. lines measured; 0 or None with no data
    basis: str  # what the value is of, in words: "412 of 430 lines"
    target: float
    tolerance: float
    target_is_default: bool  # no agreement target: the catalogue default is shown
    status: str  # "green" | "amber" | "red" | "no_data"
    trend: tuple[TrendPoint, ...]  # the previous TREND_PERIODS periods, oldest first
    breakdown: dict[str, float] = field(default_factory=dict)  # e.g. incidents by severity
    comment: str = ""  # the CMO's commentary for this period

    @property
    def code(self) -> str:
        return self.kpi.code

    @property
    def name(self) -> str:
        return self.kpi.name

    @property
    def unit(self) -> str:
        return self.kpi.unit


@dataclass(frozen=True)
class SurveySummary:
    responses: int
    means: dict[str, float | None]  # question code -> mean rating (None without responses)
    mean: float | None  # mean of all ratings: the satisfaction KPI
    comments: tuple[str, ...]


@dataclass(frozen=True)
class PenaltyExposure:
    term: str  # the term in words
    kind: str  # PenaltyTerm.Kind value
    amount: float
    currency: str
    basis: str  # "3 CMO-attributable failed lines worth 12,400.00" / "1 month below 95.0 %"


@dataclass(frozen=True)
class ActionRow:
    title: str
    owner: str
    due_date: dt.date | None
    status: str  # AgreedAction.Status value
    kpi: str  # KPI code or ""
    period: str  # the period it was agreed in


@dataclass(frozen=True)
class StockOutRow:
    product: str
    location: str
    start_date: dt.date
    end_date: dt.date | None
    days_in_period: int
    cmo_caused: bool
    linked_lines: int
    source: str


@dataclass
class Scorecard:
    client: Client
    period: Period
    as_of: dt.date  # figures as of this date (open stock-outs and CAPAs are judged on it)
    kpis: list[KpiResult]
    survey: SurveySummary
    actions: list[ActionRow]
    stock_outs: list[StockOutRow]
    penalties: list[PenaltyExposure]

    def kpi(self, code: str) -> KpiResult:
        for result in self.kpis:
            if result.code == code:
                return result
        raise KeyError(code)

    def groups(self) -> list[tuple[str, list[KpiResult]]]:
        """KPIs by group (Delivery, Customer stock-outs, ...), in catalogue order."""
        return [(g, [k for k in self.kpis if k.kpi.group == g]) for g in GROUPS]

    def to_dict(self) -> dict:
        """Everything the JSON export writes: plain numbers, texts and ISO dates."""
        raise NotImplementedError  # implemented with the service


def build_scorecard(client: Client, period: Period, *, as_of: dt.date | None = None) -> Scorecard:
    """The scorecard of `client` (already scoped by the caller) for `period`."""
    raise NotImplementedError  # being implemented
