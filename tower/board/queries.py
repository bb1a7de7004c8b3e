"""The daily accountability board: what a site's stand-up looks at each morning.

Every section reads stored records; nothing is evaluated in a request:

- yesterday's misses: the stored OTIF outcomes (tower.performance.LineOutcome, written by the
  engine with the client's definition) of the lines due yesterday that are measured and failed,
  and those due yesterday still pending (not complete, inside the agreement's late tolerance);
- at-risk lines due today and in the six days after: the stored projection
  (tower.outlook.LineProjection) ranked at risk exactly as the outlook page ranks them;
- open escalations with their clocks (tower.escalations: soonest deadline first, acknowledged
  ones after) and the open actions due this week or overdue (tower.actions: the register's one
  definition of overdue);
- deviations opened yesterday and batches due for QC release this week (tower.quality).

Each query takes an already scoped queryset (``visible_to``) or the principal, and the clients of
a BoardScope (themselves taken from the principal's visible clients), so nothing here widens
access. Every list is capped (BOARD_ROWS) with its full count and a link to the whole list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from tower.actions.queries import due_and_overdue
from tower.calendars.services import calendar_of
from tower.escalations.queries import open_escalations
from tower.masterdata.models import Site
from tower.outlook.models import RANK_ON_TRACK, LineProjection
from tower.performance.models import LineOutcome
from tower.performance.queries import FAILED, with_root_cause
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
    # The site's time zone (its calendar) when the board is one site's: its "today" and the
    # times it shows. A board of several sites shows each clock in its own site's time.
    time_zone: str = ""

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


def site_today(code: str | None, now: dt.datetime | None = None) -> tuple[dt.date, str]:
    """Today's date at a site (by its calendar's time zone) and that zone; for no site, the
    server's date and zone (settings.TIME_ZONE)."""
    now = now or timezone.now()
    zone = calendar_of(Site.objects.filter(code=code).first()).time_zone if code else ""
    if not zone:
        return timezone.localdate(now), settings.TIME_ZONE
    return now.astimezone(ZoneInfo(zone)).date(), zone


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


def _sorted_lines(
    rows: QuerySet, fields: tuple[str, ...], related: tuple[str, ...], *, causes: bool = False
) -> Section:
    """A section of lines from a big table (outcomes, projections) at 1M lines: the matching
    rows' keys and sort fields are read from the index, unordered (an ORDER BY let SQLite pick
    an index that serves the order and read every row of the client: 1 to 2.7 s), sorted here
    (a day's or a week's lines: hundreds to a few thousand), and only the first BOARD_ROWS are
    joined to their order, product and site."""
    found = sorted(rows.order_by().values_list(*fields, "line_id"), key=_nulls_last)
    keys = [row[-1] for row in found[:BOARD_ROWS]]
    # The keys come from the scoped rows: reading them again by key widens nothing. With no key
    # the query still runs (no line has id 0), so a page's query count does not depend on the
    # data (tests/web/test_query_counts.py); Django skips "IN ()" without asking the database.
    loaded = rows.model.objects.filter(line_id__in=keys or [0]).select_related(*related)
    if causes:
        loaded = with_root_cause(loaded)
    by_key = {row.line_id: row for row in loaded}
    return Section([by_key[k] for k in keys], len(found))


def _nulls_last(row: tuple) -> tuple:
    return tuple((value is None, value if value is not None else 0) for value in row)


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
    )
    related = ("client", "line__order", "line__product", "line__site")
    # Most days late first, then by client and line.
    failed = rows.filter(FAILED).annotate(late_first=-F("days_late"))
    return (
        _sorted_lines(failed, ("late_first", "client_id"), related, causes=True),
        _sorted_lines(rows.filter(state="pending"), ("client_id",), related, causes=True),
    )


def at_risk_lines(projections: QuerySet, scope: BoardScope) -> tuple[Section, Section]:
    """Open lines at risk (the outlook's ranking) due today, and due in the rest of the week."""
    # "rank + 0 < ON_TRACK", not "rank < ON_TRACK": on the bare column SQLite chose the urgency
    # index (client, rank, ...) and read every at-risk projection of the client (2.7 s at 1M
    # lines, most open lines there being overdue); the expression leaves it the (client,
    # due_date, rank, rank_key, line) index, which holds everything the section reads for the
    # week's due dates. Same rows, as the outlook ranks.
    rows = _on_site(
        projections.filter(
            client__in=scope.client_ids, due_date__gte=scope.day, due_date__lte=scope.week_end
        )
        .alias(rank_value=F("rank") + 0)
        .filter(rank_value__lt=RANK_ON_TRACK),
        scope,
        "line__site",
    )
    related = ("client", "line__order", "line__product", "line__site")
    order = ("rank", "rank_key")  # the outlook's order (tower.outlook.queries.at_risk)
    today = rows.filter(due_date=scope.day)
    week = rows.filter(due_date__gt=scope.day, due_date__lte=scope.week_end)
    return _sorted_lines(today, order, related), _sorted_lines(week, order, related)


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


def escalations_open(scope: BoardScope) -> Section:
    """The open escalations of the scope's clients (and site), with their clocks."""
    rows = open_escalations(scope.clients, site=scope.site)
    return Section(rows[:BOARD_ROWS], len(rows))


def actions_due(scope: BoardScope, principal) -> Section:
    """Open actions overdue or due in this week (today and the six days after), soonest first.
    Actions belong to a client, not a site: a site's board shows its clients' actions."""
    rows = due_and_overdue(principal, scope.day, days=WEEK_DAYS).filter(client__in=scope.client_ids)
    return _capped(rows)


@dataclass
class Board:
    scope: BoardScope
    missed: Section
    still_open: Section
    risk_today: Section
    risk_week: Section
    escalations: Section
    actions: Section
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
                self.escalations,
                self.actions,
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
        escalations=escalations_open(scope),
        actions=actions_due(scope, principal),
        deviations=deviations_opened(Deviation.objects.all().visible_to(principal), scope),
        releases=batches_for_release(Batch.objects.all().visible_to(principal), scope),
    )
