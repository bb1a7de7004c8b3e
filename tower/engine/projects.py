"""Client projects: the phases each type of project goes through and the project's health.
Pure Python, no Django: the projects app stores the phases and shows what these return.

Health (green / amber / red) is derived from the milestones (each phase ends in one, with a
planned, a forecast and an actual date) and from the project's open red risks (kpis.md 10):

- a phase's **slip** is 0 once its milestone is reached (it is history, shown but not counted);
  otherwise the days from the planned date to the expected one, where the expected date is the
  forecast (the planned date when there is none), or today when that has gone by unreached;
- **red**: a milestone slips more than SLIP_RED_DAYS days, or any milestone slips while a red
  risk is open;
- **amber**: a milestone slips (1 day or more), or a red risk is open;
- **green**: otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

TECH_TRANSFER, NEW_PRODUCT, PROCESS_CHANGE, OTHER = (
    "tech_transfer",
    "new_product",
    "process_change",
    "other",
)
PROJECT_TYPES = {
    TECH_TRANSFER: "Technology transfer",
    NEW_PRODUCT: "New product",
    PROCESS_CHANGE: "Process change",
    OTHER: "Other",
}

# The phases a new project of each type starts with (the CMO may rename or add phases later).
PHASE_TEMPLATES = {
    TECH_TRANSFER: (
        "Feasibility",
        "Transfer",
        "Engineering batch",
        "Validation",
        "Commercial",
    ),
    NEW_PRODUCT: (
        "Feasibility",
        "Development",
        "Engineering batch",
        "Validation",
        "Launch",
    ),
    PROCESS_CHANGE: ("Assessment", "Change implementation", "Validation", "Commercial"),
    OTHER: ("Start", "Delivery", "Close"),
}

SLIP_RED_DAYS = 30

GREEN, AMBER, RED = "green", "amber", "red"
HEALTH_NAMES = {GREEN: "Green", AMBER: "Amber", RED: "Red"}


def milestone_slip(
    planned: dt.date, forecast: dt.date | None, actual: dt.date | None, today: dt.date
) -> int:
    """Days an unreached milestone slips past its planned date (0 once reached or on time)."""
    if actual is not None:
        return 0
    expected = forecast or planned
    if today > expected:
        expected = today
    return max(0, (expected - planned).days)


def health(slips: Iterable[int], open_red_risks: int) -> str:
    """The project's health from its milestones' slips and its open red risks (module doc)."""
    worst = max(slips, default=0)
    if worst > SLIP_RED_DAYS or (worst > 0 and open_red_risks > 0):
        return RED
    if worst > 0 or open_red_risks > 0:
        return AMBER
    return GREEN


def project_health(phases: Iterable, open_red_risks: int, today: dt.date) -> str:
    """health() of objects with planned_date, forecast_date and actual_date."""
    slips = [milestone_slip(p.planned_date, p.forecast_date, p.actual_date, today) for p in phases]
    return health(slips, open_red_risks)
