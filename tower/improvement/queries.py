"""Reads for continuous improvement; each takes an object or queryset the view already scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from tower.engine.kpi_catalogue import KPI_BY_CODE, Kpi, format_value
from tower.engine.periods import month_of
from tower.engine.targets import target_status
from tower.improvement.models import (
    ImprovementProject,
    LessonApplication,
    SpreadStatus,
    describe_place,
)
from tower.scorecards.scorecard import TrendPoint, kpi_trend

# The trend shows the project's months from its start, at most this many (three years: a DMAIC
# project runs months, its Control phase a year or so).
TREND_MONTHS = 36


@dataclass(frozen=True)
class ProjectTrend:
    kpi: Kpi
    points: list[TrendPoint]  # one per month since the start, oldest first
    baseline: float
    target: float

    @property
    def latest(self) -> TrendPoint | None:
        """The last month with a figure."""
        return next((p for p in reversed(self.points) if p.value is not None), None)

    def rows(self) -> list[dict]:
        """The table under the chart: month, value and where it stands against the target."""
        return [
            {
                "period": p.period,
                "label": p.label,
                "value": p.value,
                "display": format_value(p.value, self.kpi.unit),
                "status": target_status(
                    p.value, self.target, higher_is_better=self.kpi.higher_is_better, tolerance=0
                ),
                "vs_baseline": None if p.value is None else p.value - self.baseline,
            }
            for p in self.points
        ]

    def chart(self) -> dict:
        """charts.js's trend: the KPI, the baseline as a flat line, and the target line."""
        return {
            "labels": [p.label for p in self.points],
            "series": [
                {"label": self.kpi.name, "values": [p.value for p in self.points]},
                {"label": "Baseline", "values": [self.baseline for _ in self.points]},
            ],
            "target": self.target,
            "unit": self.kpi.unit,
        }


def trend_months(project: ImprovementProject, today: dt.date) -> list:
    """The monthly periods from the project's start to this month (at most TREND_MONTHS)."""
    first = month_of(project.started_on)
    last = month_of(today)
    if first.start > last.start:
        return [first]
    periods = [first]
    while periods[-1].start < last.start and len(periods) < TREND_MONTHS:
        periods.append(periods[-1].shifted(1))
    return periods


def project_trend(project: ImprovementProject, *, as_of: dt.date) -> ProjectTrend:
    """The project's KPI month by month since its start, read through the scorecard's own
    computation (tower.scorecards.scorecard.kpi_trend): each month's value is the one the
    client's scorecard for that month shows."""
    periods = trend_months(project, as_of)
    return ProjectTrend(
        kpi=KPI_BY_CODE[project.kpi],
        points=kpi_trend(project.client, project.kpi, periods, as_of=as_of),
        baseline=project.baseline,
        target=project.target,
    )


def with_spread_counts(lessons: QuerySet) -> QuerySet:
    """Lessons with how many places they apply to and how many of those they were spread to."""
    return lessons.annotate(
        places=Count("applications"),
        spread=Count("applications", filter=Q(applications__status=SpreadStatus.SPREAD)),
        open_places=Count("applications", filter=Q(applications__status=SpreadStatus.TO_SPREAD)),
    )


def applications_shown(applications: QuerySet, *, cmo_side: bool) -> QuerySet:
    """A lesson's places; a client user does not see the other clients it was spread to."""
    applications = applications.select_related("site", "area", "target_client", "spread_by")
    if cmo_side:
        return applications
    return applications.exclude(
        Q(kind=LessonApplication.Kind.CLIENT) & ~Q(target_client_id=F("client_id"))
    )


HISTORY_SHOWN = 50


def application_history(lesson) -> list:
    """The latest changes to the places of a lesson the view has already scoped (who, when,
    what), newest first."""
    rows = list(
        LessonApplication.history.filter(lesson_id=lesson.pk)
        .select_related("history_user", "site", "area", "target_client")
        .order_by("-history_date", "-history_id")[:HISTORY_SHOWN]
    )
    for row in rows:
        row.place = describe_place(row)
    return rows
