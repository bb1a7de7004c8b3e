"""Project health from milestone slips and open red risks (tower/engine/projects.py), by hand."""

import datetime as dt
from types import SimpleNamespace

import pytest

from tower.engine.projects import AMBER, GREEN, RED, health, milestone_slip, project_health

TODAY = dt.date(2026, 6, 15)
D = dt.date


@pytest.mark.parametrize(
    ("planned", "forecast", "actual", "slip"),
    [
        (D(2026, 7, 1), None, None, 0),  # ahead, as planned
        (D(2026, 7, 1), D(2026, 7, 11), None, 10),  # forecast 10 days late
        (D(2026, 7, 1), D(2026, 6, 20), None, 0),  # forecast early: no slip
        (D(2026, 6, 1), None, None, 14),  # overdue: planned 1 June, not reached by the 15th
        (D(2026, 6, 1), D(2026, 6, 10), None, 14),  # forecast gone by too: today counts
        (D(2026, 6, 1), D(2026, 6, 30), None, 29),
        (D(2026, 5, 1), None, D(2026, 6, 10), 0),  # reached (late): history, no slip
        (D(2026, 6, 15), None, None, 0),  # due today
    ],
)
def test_milestone_slip(planned, forecast, actual, slip):
    assert milestone_slip(planned, forecast, actual, TODAY) == slip


@pytest.mark.parametrize(
    ("slips", "red_risks", "colour"),
    [
        ([], 0, GREEN),
        ([0, 0], 0, GREEN),
        ([0, 0], 1, AMBER),  # a red risk alone
        ([5], 0, AMBER),  # a slip alone
        ([30], 0, AMBER),  # 30 days is still amber
        ([31], 0, RED),  # more than 30 days
        ([1], 1, RED),  # a slip while a red risk is open
    ],
)
def test_health(slips, red_risks, colour):
    assert health(slips, red_risks) == colour


def test_project_health_reads_phases():
    phases = [
        SimpleNamespace(planned_date=D(2026, 3, 1), forecast_date=None, actual_date=D(2026, 3, 9)),
        SimpleNamespace(planned_date=D(2026, 8, 1), forecast_date=D(2026, 8, 20), actual_date=None),
    ]
    assert project_health(phases, 0, TODAY) == AMBER
    assert project_health(phases, 2, TODAY) == RED
    assert project_health(phases[:1], 0, TODAY) == GREEN
