"""Fixtures of the scorecard tests.

Service tests (test_scorecard_service.py) use the hand-checked data of
tests/performance/conftest.py, whose fixtures are imported here.

Exports (test_exports.py): `export_scorecard()` builds a scorecard by hand, without a database
(full, or with nothing measured), so every export can be checked against known figures;
`export_fake_evidence` stands in for tower.scorecards.evidence.evidence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from tests.performance.conftest import acme_data, import_text, people  # noqa: F401
from tower.engine.kpi_catalogue import KPI_BY_CODE, KPIS, Kpi
from tower.engine.periods import parse_period
from tower.scorecards.models import SurveyResponse
from tower.scorecards.scorecard import (
    ActionRow,
    KpiResult,
    PenaltyExposure,
    Scorecard,
    StockOutRow,
    SurveySummary,
    TrendPoint,
)
from tower.tenancy.models import Client

EXPORT_PERIOD = parse_period("2026Q3")
EXPORT_AS_OF = dt.date(2026, 10, 5)
_QUESTIONS = tuple(SurveyResponse.QUESTIONS)

# code: (value, numerator, denominator, basis, status, trend values oldest first)
EXPORT_FIGURES = {
    "otif_net": (96.4, 412, 427, "412 of 427 lines", "green", (93.1, 94.5, None, 95.0)),
    "otif_gross": (91.2, 390, 427, "390 of 427 lines", "amber", (90.2, 91.0, 88.4, 92.3)),
    "on_time": (88.0, 376, 427, "376 of 427 lines", "red", (89.9, 90.1, 87.0, 88.8)),
    "ship_on_time": (None, None, 0, "no deliveries shipped", "no_data", (None,) * 4),
    "notices_in_advance": (
        62.5,
        5,
        8,
        "5 of 8 late lines announced in advance",
        "red",
        (40.0, 50.0, None, 55.0),
    ),
    "notice_lead_time": (4.0, None, 5, "median over 5 announced lines", "amber", (2, 3, None, 3)),
    "oos_events": (2, 2, None, "2 of 5 stock-outs", "red", (0, 1, 0, 3)),
    "oos_days": (17, 17, None, "17 days", "amber", (0, 4, 0, 22)),
    "oos_share": (40.0, 2, 5, "2 of 5 stock-outs", "red", (0.0, 50.0, None, 60.0)),
    "escalations_acknowledged": (
        75.0,
        3,
        4,
        "3 of 4 escalations due",
        "red",
        (100.0, None, 50.0, 80.0),
    ),
    "schedule_adherence": (
        92.5,
        1850,
        2000,
        "1,850 of 2,000 units planned",
        "green",
        (90, 91, 89, 92),
    ),
    "material_readiness": (97.5, 39, 40, "39 of 40 batches", "green", (95, 96, 97, 98)),
    "qc_release_on_time": (85.0, 34, 40, "34 of 40 batches", "amber", (80, 82, 84, 86)),
    "incident_rate": (
        12.5,
        5,
        40,
        "5 deviations (4 minor, 1 major) for 40 batches completed",
        "amber",
        (10, 11, 9, 12),
    ),
    "right_first_time": (87.5, 35, 40, "35 of 40 batches", "amber", (88, 86, 90, 89)),
    "lot_acceptance": (100.0, 40, 40, "40 of 40 lots", "green", (100, 97.5, 100, 100)),
    "yield": (96.25, None, 40, "mean of 40 batches", "green", (95.5, 96, 95.75, 96.5)),
    "capa_on_time": (75.0, 3, 4, "3 of 4 CAPAs", "red", (100, None, 50, 80)),
    "satisfaction": (4.2, None, 5, "5 responses", "green", (3.8, 4.0, None, 4.1)),
}
EXPORT_COMMENTS = {
    "otif_net": "Net OTIF back above target after the July packaging line upgrade & new shifts.",
    "on_time": (
        "Two carriers missed pick-ups in August; we moved the Iberian lanes to a second carrier "
        "and now confirm every pick-up 48 hours ahead. " * 4
    ).strip(),
    "incident_rate": "Three minor deviations on the new blister line <tooling>, one major.",
}


def export_scorecard(*, empty: bool = False) -> Scorecard:
    """A full scorecard of ACME for Q3 2026, or (`empty`) one where nothing was measured."""
    client = Client(code="ACME", name="Acme Pharma")
    trend_periods = EXPORT_PERIOD.previous(4)
    results = []
    for kpi in KPIS:
        value, numerator, denominator, basis, status, trend = EXPORT_FIGURES[kpi.code]
        if empty:
            value, numerator, denominator, basis, status = (
                None,
                None,
                0,
                "nothing measured",
                "no_data",
            )
            trend = (None,) * 4
        results.append(
            KpiResult(
                kpi=kpi,
                value=None if value is None else float(value),
                numerator=numerator,
                denominator=denominator,
                basis=basis,
                target=kpi.default_target,
                tolerance=kpi.default_tolerance,
                target_is_default=kpi.code != "otif_net",
                status=status,
                trend=tuple(
                    TrendPoint(p.key, p.label, None if v is None else float(v))
                    for p, v in zip(trend_periods, trend, strict=True)
                ),
                breakdown={"minor": 10.0, "major": 2.5, "critical": 0.0}
                if kpi.code == "incident_rate" and not empty
                else {},
                comment="" if empty else EXPORT_COMMENTS.get(kpi.code, ""),
            )
        )
    if empty:
        return Scorecard(
            client=client,
            period=EXPORT_PERIOD,
            as_of=EXPORT_AS_OF,
            kpis=results,
            survey=SurveySummary(0, dict.fromkeys(_QUESTIONS), None, ()),
            actions=[],
            stock_outs=[],
            penalties=[],
        )
    return Scorecard(
        client=client,
        period=EXPORT_PERIOD,
        as_of=EXPORT_AS_OF,
        kpis=results,
        survey=SurveySummary(
            responses=5,
            means=dict(zip(_QUESTIONS, (4.4, 4.0, 4.6, 3.8, 4.2), strict=True)),
            mean=4.2,
            comments=(
                "Much better communication since the weekly call.",
                "Still waiting for the revised artwork timeline — please confirm.",
                "Excellent QA support during the audit. " * 12,
            ),
        ),
        actions=[
            ActionRow(
                "Second carrier for Iberian lanes",
                "Logistics lead",
                dt.date(2026, 9, 30),
                "done",
                "on_time",
                "2026Q2",
            ),
            ActionRow(
                "Reduce QC release backlog to under 5 batches",
                "QC manager",
                dt.date(2026, 9, 15),
                "open",
                "qc_release_on_time",
                "2026Q3",
                overdue=True,  # open, due 15 September, figures as of 5 October
            ),
            ActionRow(
                "Quarterly S&OP with the client's planners",
                "Account manager",
                None,
                "open",
                "",
                "2026Q3",
            ),
        ],
        stock_outs=[
            StockOutRow(
                "AMX-500 Amoxicillin 500 mg",
                "DE",
                dt.date(2026, 8, 3),
                dt.date(2026, 8, 12),
                10,
                True,
                2,
                "reported",
            ),
            StockOutRow(
                "IBU-200 Ibuprofen 200 mg", "FR", dt.date(2026, 9, 24), None, 7, True, 1, "reported"
            ),
            StockOutRow(
                "IBU-200 Ibuprofen 200 mg",
                "ES",
                dt.date(2026, 7, 1),
                dt.date(2026, 7, 4),
                4,
                False,
                0,
                "imported",
            ),
        ],
        penalties=[
            PenaltyExposure(
                "2.0 % of the line value per CMO-attributable failed line",
                "line_value_pct",
                248.0,
                "EUR",
                "3 CMO-attributable failed lines worth 12,400.00",
            ),
            PenaltyExposure(
                "5,000.00 per month below the OTIF target",
                "month_below_target",
                5000.0,
                "EUR",
                "1 month below 95.0 %",
            ),
        ],
    )


@dataclass(frozen=True)
class ExportFakeEvidence:
    """Shaped like tower.scorecards.evidence.Evidence."""

    kpi: Kpi
    title: str
    note: str
    frame: pl.DataFrame

    @property
    def columns(self) -> list[tuple[str, str]]:
        labels = {"order": "Order", "due_date": "Due", "counts": "Met"}
        return [(c, labels.get(c, c)) for c in self.frame.columns if not c.endswith("_id")]


def export_fake_evidence(card, kpi_code):
    """Three records behind each KPI (one met, one not, one not judged; the last with a text
    that looks like a formula), none behind "ship_on_time" which has no data."""
    kpi = KPI_BY_CODE[kpi_code]
    if kpi_code == "ship_on_time":
        frame = pl.DataFrame(
            schema={
                "line_id": pl.Int64,
                "order": pl.String,
                "due_date": pl.Date,
                "counts": pl.Boolean,
            }
        )
    else:
        frame = pl.DataFrame(
            {
                "line_id": [1, 2, 3],
                "order": ["PO-1", "PO-2", '=HYPERLINK("http://example.com")'],
                "due_date": [dt.date(2026, 7, 1), dt.date(2026, 8, 2), None],
                "quantity": [100.0, 50.5, None],
                "days late": [0, 3, None],
                "counts": [True, False, None],
            }
        )
    return ExportFakeEvidence(
        kpi, f"{kpi.name}: {card.client.name}, {card.period.label}", f"{kpi.definition}.", frame
    )
