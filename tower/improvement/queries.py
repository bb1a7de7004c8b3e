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
from tower.scorecards.measures import PLACES
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
    of: str = ""  # what the figures are of, in words: "ACME, site DE1, every product"
    # Said plainly when the charter names a site or product the KPI cannot be computed for
    # (its records do not name them): the figures are the client's, or wider than the charter.
    not_narrowed: str = ""

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
    client's scorecard for that month shows, of the charter's site and product where the KPI
    can be computed for them (tower.scorecards.measures.PLACES)."""
    periods = trend_months(project, as_of)
    kpi = KPI_BY_CODE[project.kpi]
    asked = {
        "site": project.site.code if project.site_id else None,
        "product": project.product.code if project.product_id else None,
    }
    used = {place: code if place in PLACES[kpi.code] else None for place, code in asked.items()}
    ignored = [place for place, code in asked.items() if code and used[place] is None]
    of = [project.client.name]
    of.append(f"site {used['site']}" if used["site"] else "every site")
    of.append(f"product {used['product']}" if used["product"] else "every product")
    not_narrowed = ""
    if ignored:
        named = " and ".join(f"{place} {asked[place]}" for place in ignored)
        per = " or ".join(ignored)
        if PLACES[kpi.code]:
            not_narrowed = (
                f"{kpi.name} cannot be computed per {per} (its records do not name one): the "
                f"figures below are not of {named} alone but of {', '.join(of)}."
            )
        else:
            not_narrowed = (
                f"{kpi.name} is measured for the client as a whole only: the figures below are "
                f"{project.client.name}'s, not those of {named}."
            )
    return ProjectTrend(
        kpi=kpi,
        points=kpi_trend(
            project.client,
            project.kpi,
            periods,
            as_of=as_of,
            site=used["site"],
            product=used["product"],
        ),
        baseline=project.baseline,
        target=project.target,
        of=", ".join(of),
        not_narrowed=not_narrowed,
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
