"""Reads for the project pages, taking an already scoped queryset (tenancy.scoping)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from tower.engine.projects import milestone_slip, project_health
from tower.projects.models import Phase


def with_health(projects: QuerySet, today: dt.date) -> list:
    """The projects with their phases (one query) and each one's health and worst slip."""
    rows = list(
        projects.select_related("client", "cmo_manager").prefetch_related(
            Prefetch("phases", queryset=Phase.objects.order_by("position"))
        )
    )
    for project in rows:
        phases = list(project.phases.all())
        project.health = project_health(phases, project.open_red_risks, today)
        project.worst_slip = max(
            (milestone_slip(p.planned_date, p.forecast_date, p.actual_date, today) for p in phases),
            default=0,
        )
        project.current_phase = next((p for p in phases if p.actual_date is None), None)
    return rows


def timeline(phases: list, start: dt.date, today: dt.date) -> dict:
    """Bars of the phases on one scale: planned, and forecast (or actual), as percentages."""
    ends = [start, today]
    for p in phases:
        ends += [d for d in (p.planned_date, p.forecast_date, p.actual_date) if d]
    first, last = min(ends), max(ends)
    span = max(1, (last - first).days)

    def pct(day: dt.date) -> float:
        return round(100 * (day - first).days / span, 2)

    rows = []
    planned_start = expected_start = start
    for p in phases:
        expected = p.actual_date or p.forecast_date or p.planned_date
        slip = milestone_slip(p.planned_date, p.forecast_date, p.actual_date, today)
        rows.append(
            {
                "phase": p,
                "planned_left": pct(planned_start),
                "planned_width": max(0.5, pct(p.planned_date) - pct(planned_start)),
                "expected_left": pct(expected_start),
                "expected_width": max(0.5, pct(expected) - pct(expected_start)),
                "slip": slip,
                "late_by": (p.actual_date - p.planned_date).days if p.actual_date else None,
            }
        )
        planned_start, expected_start = p.planned_date, expected
    return {"rows": rows, "today": pct(today), "first": first, "last": last}
