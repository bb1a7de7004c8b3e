"""The daily accountability board: what a site's stand-up looks at each morning.

Every section reads stored records; nothing is evaluated in a request:

- yesterday's misses: the stored OTIF outcomes (tower.performance.LineOutcome, written by the
  engine with the client's definition) of the lines due yesterday that are measured and failed,
  and those due yesterday still pending (not complete, inside the agreement's late tolerance);
- at-risk lines due today and in the six days after: the stored projection
  (tower.outlook.LineProjection) ranked at risk exactly as the outlook page ranks them;
- deviations opened yesterday and batches due for QC release this week (tower.quality).

Each query takes an already scoped queryset (``visible_to``) or the principal, and the clients of
a BoardScope (themselves taken from the principal's visible clients), so nothing here widens
access. Every list is capped (BOARD_ROWS) with its full count and a link to the whole list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tower.outlook.models import RANK_ON_TRACK, LineProjection
from tower.outlook.queries import at_risk
from tower.performance.models import LineOutcome
from tower.performance.queries import FAILED
from tower.quality.models import Batch, Deviation, Disposition
from tower.tenancy.models import Client

BOARD_ROWS = 25  # lines per section on the board (the count and a link give the rest)
WEEK_DAYS = 7  # "this week": today and the six days after


@dataclass(frozen=True)
class BoardScope:
    """The clients (already visible to the user), optionally one site, and the board's day."""

    clients: tuple[Client, ...]
    day: dt.date
    site: str | None = None

    @property
    def client_ids(self) -> list[int]:
        return [c.pk for c in self.clients]

    @property
    def yesterday(self) -> dt.date:
        return self.day - dt.timedelta(days=1)

    @property
    def tomorrow(self) -> dt.date:
        return self.day + dt.timedelta(days=1)

    @property
    def week_end(self) -> dt.date:
        """The last day of "this week" (today and the six days after)."""
        return self.day + dt.timedelta(days=WEEK_DAYS - 1)


@dataclass
class Section:
    """One list of the board: its first rows and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _capped(rows: QuerySet) -> Section:
    first = list(rows[: BOARD_ROWS + 1])
    if len(first) <= BOARD_ROWS:
        return Section(first, len(first))
    return Section(first[:BOARD_ROWS], rows.count())


def _on_site(rows: QuerySet, scope: BoardScope, field: str) -> QuerySet:
    return rows.filter(**{f"{field}__code": scope.site}) if scope.site else rows


def misses(outcomes: QuerySet, scope: BoardScope) -> tuple[Section, Section]:
    """Yesterday's lines that failed OTIF, and those still open inside the late tolerance.

    `outcomes` is a scoped LineOutcome queryset. The month narrows the covering index
    (client, period, state, otif, ...) to one month before the due date is tested.
    """
    day = scope.yesterday
    rows = _on_site(
        outcomes.filter(client__in=scope.client_ids, period=day.replace(day=1), due_date=day),
        scope,
        "line__site",
    ).select_related("client", "line__order", "line__product", "line__site", "line__root_cause")
    ordering = ("client__code", "line__order__number", "line__line_number")
    failed = rows.filter(FAILED).order_by(*ordering)
    pending = rows.filter(state="pending").order_by(*ordering)
    return _capped(failed), _capped(pending)


def at_risk_lines(projections: QuerySet, scope: BoardScope) -> tuple[Section, Section]:
    """Open lines at risk (the outlook's ranking) due today, and due in the rest of the week."""
    months = {scope.day.replace(day=1), scope.week_end.replace(day=1)}
    rows = _on_site(
        projections.filter(
            client__in=scope.client_ids,
            period__in=sorted(months),
            rank__lt=RANK_ON_TRACK,
        ),
        scope,
        "line__site",
    ).select_related("client", "line__order", "line__product", "line__site")
    today = at_risk(rows.filter(due_date=scope.day))
    week = at_risk(rows.filter(due_date__gt=scope.day, due_date__lte=scope.week_end))
    return _capped(today), _capped(week)


def deviations_opened(deviations: QuerySet, scope: BoardScope) -> Section:
    """Deviations opened yesterday, most severe first."""
    rows = _on_site(
        deviations.filter(client__in=scope.client_ids, opened_date=scope.yesterday),
        scope,
        "site",
    ).select_related("client", "batch", "site", "area")
    severity = {"critical": 0, "major": 1, "minor": 2}
    listed = sorted(rows, key=lambda d: (severity.get(d.severity, 3), d.client.code, d.number))
    return Section(listed[:BOARD_ROWS], len(listed))


def batches_for_release(batches: QuerySet, scope: BoardScope) -> Section:
    """Batches not yet dispositioned whose planned QC release falls before the end of this
    week: the overdue ones (planned before today) first, then by planned release date."""
    rows = _on_site(
        batches.filter(
            client__in=scope.client_ids,
            planned_release_date__lte=scope.week_end,
            actual_release_date__isnull=True,
        ).filter(Q(disposition=Disposition.PENDING) | Q(disposition=Disposition.ON_HOLD)),
        scope,
        "site",
    ).select_related("client", "product", "site")
    return _capped(rows.order_by("planned_release_date", "client__code", "number"))


@dataclass
class Board:
    scope: BoardScope
    missed: Section
    still_open: Section
    risk_today: Section
    risk_week: Section
    deviations: Section
    releases: Section

    @property
    def is_empty(self) -> bool:
        return not any(
            s.total
            for s in (
                self.missed,
                self.still_open,
                self.risk_today,
                self.risk_week,
                self.deviations,
                self.releases,
            )
        )


def board(scope: BoardScope, principal) -> Board:
    """Every section of the board for a scope, each read through the principal's scoping."""
    missed, still_open = misses(LineOutcome.objects.all().visible_to(principal), scope)
    risk_today, risk_week = at_risk_lines(LineProjection.objects.all().visible_to(principal), scope)
    return Board(
        scope=scope,
        missed=missed,
        still_open=still_open,
        risk_today=risk_today,
        risk_week=risk_week,
        deviations=deviations_opened(Deviation.objects.all().visible_to(principal), scope),
        releases=batches_for_release(Batch.objects.all().visible_to(principal), scope),
    )
