"""The project's KPI trend is the scorecard's own figure for each month since the start.

ACME (tests/performance/conftest.py), as of 2026-05-15, project started February 2026:
    February  no lines                          -> no data
    March     4 measured lines, 1 OTIF, 2 on time -> gross OTIF 25 %, on time 50 %
    April     2 measured lines, 1 OTIF, 1 on time -> gross OTIF 50 %, on time 50 %
    May       no lines due yet                  -> no data
"""

from __future__ import annotations

import pytest

from tower.engine.kpi_catalogue import KPIS
from tower.engine.periods import parse_period
from tower.improvement.queries import project_trend, trend_months
from tower.scorecards.scorecard import build_scorecard

from .conftest import AS_OF, charter

MONTHS = ["2026-02", "2026-03", "2026-04", "2026-05"]


def test_the_trend_runs_month_by_month_from_the_start(project):
    assert [p.key for p in trend_months(project, AS_OF)] == MONTHS


@pytest.mark.parametrize(
    ("kpi", "baseline", "target", "expected"),
    [
        ("otif_gross", 25.0, 60.0, [None, 25.0, 50.0, None]),
        ("on_time", 40.0, 90.0, [None, 50.0, 50.0, None]),
    ],
)
def test_the_trend_is_hand_computed(acme_data, people, kpi, baseline, target, expected):
    project = charter(acme_data, people, kpi=kpi, baseline=baseline, target=target)
    trend = project_trend(project, as_of=AS_OF)
    assert [p.period for p in trend.points] == MONTHS
    assert [p.value for p in trend.points] == expected
    assert trend.latest.period == "2026-04"
    chart = trend.chart()
    assert chart["series"][0]["values"] == expected
    assert chart["series"][1] == {"label": "Baseline", "values": [baseline] * 4}
    assert chart["target"] == target


@pytest.mark.parametrize("kpi", [k.code for k in KPIS])
def test_every_kpi_trend_equals_the_scorecard_of_each_month(acme_data, people, kpi):
    from tower.improvement.services import UNIT_BOUNDS

    unit = next(k for k in KPIS if k.code == kpi).unit
    higher = next(k for k in KPIS if k.code == kpi).higher_is_better
    low, high = UNIT_BOUNDS[unit]
    baseline, target = (low, high) if higher else (high, low)
    project = charter(acme_data, people, kpi=kpi, baseline=baseline, target=target)
    trend = project_trend(project, as_of=AS_OF)
    for point in trend.points:
        card = build_scorecard(acme_data, parse_period(point.period), as_of=AS_OF)
        assert point.value == card.kpi(kpi).value, (kpi, point.period)
