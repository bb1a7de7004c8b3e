"""Reads behind the OTIF dashboard: the cascade of kpis.md 2 from the monthly aggregates.

Everything is summed in the database from MonthlyOtif / MonthlyFailure rows (a few per client,
site, product and month), never from lines, so a page costs the same few queries whatever the
number of lines. A month a CMO admin has closed is read from its frozen snapshot instead of the
live rows; `stale_closes` tells when live data for a closed month has moved since.

The clients passed in are already scoped (tenancy.scoping); nothing here widens access.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet, Sum

from tower.engine.otif import DELAY_CLASSES
from tower.engine.periods import add_months, month_range
from tower.engine.sigma import dpmo, sigma_level
from tower.performance.frozen import KINDS, LINE_KINDS, stale_records
from tower.performance.models import (
    DELAY_COLUMNS,
    ClosedMonthlyFailure,
    ClosedMonthlyOtif,
    MonthClose,
    MonthlyFailure,
    MonthlyOtif,
)
from tower.tenancy.models import Client

TREND_MONTHS = 13

COUNTS = (
    "lines",
    "on_time",
    "in_full",
    "otif",
    "net_on_time",
    "net_in_full",
    "net_otif",
    "pending",
    "excluded",
    "late_1_2",
    "late_3_7",
    "late_8_14",
    "late_over_14",
)
# Delay class label -> MonthlyFigures column.
DELAY_COLUMN_OF = dict(zip(DELAY_CLASSES, DELAY_COLUMNS, strict=True))


@dataclass(frozen=True)
class FigureScope:
    """What a page shows: visible clients, optionally one site and product, months start..end."""

    clients: tuple[Client, ...]
    start: dt.date
    end: dt.date
    site: str | None = None
    product: str | None = None

    @property
    def months(self) -> list[dt.date]:
        return month_range(self.start, self.end)


@dataclass
class Totals:
    """Summed monthly counts (line grain) and the percentages derived from them."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    @classmethod
    def of(cls, rows: Iterable[dict]) -> Totals:
        """The totals of monthly rows (dicts holding the COUNTS columns)."""
        totals = cls()
        for row in rows:
            totals.add(row)
        return totals

    def add(self, row: dict) -> None:
        for name in COUNTS:
            self.counts[name] += row.get(name) or 0

    def __getattr__(self, name: str) -> int:
        try:
            return self.__dict__["counts"][name]
        except KeyError:
            raise AttributeError(name) from None

    def pct(self, name: str) -> float | None:
        lines = self.counts["lines"]
        return self.counts[name] / lines * 100 if lines else None

    @property
    def failed(self) -> int:
        return self.counts["lines"] - self.counts["otif"]

    @property
    def net_failed(self) -> int:
        return self.counts["lines"] - self.counts["net_otif"]

    @property
    def dpmo(self) -> float | None:
        return dpmo(self.failed, self.counts["lines"])

    @property
    def sigma(self) -> float | None:
        return sigma_level(self.dpmo)

    @property
    def net_dpmo(self) -> float | None:
        return dpmo(self.net_failed, self.counts["lines"])

    @property
    def net_sigma(self) -> float | None:
        return sigma_level(self.net_dpmo)


def _open_close() -> Exists:
    return Exists(
        MonthClose.objects.filter(
            client=OuterRef("client"), period=OuterRef("period"), reopened_at__isnull=True
        )
    )


def _filtered(model, scope: FigureScope, start: dt.date, end: dt.date) -> QuerySet:
    rows = model.objects.filter(client__in=[c.pk for c in scope.clients], period__gte=start)
    rows = rows.filter(period__lte=end)
    if scope.site:
        rows = rows.filter(site__code=scope.site)
    if scope.product:
        rows = rows.filter(product__code=scope.product)
    return rows


def _figure_rows(live_model, closed_model, scope: FigureScope, start, end) -> list[QuerySet]:
    """Live rows of open months and snapshot rows of closed months: each month counted once."""
    live = _filtered(live_model, scope, start, end).exclude(_open_close())
    closed = _filtered(closed_model, scope, start, end).filter(close__reopened_at__isnull=True)
    return [live, closed]


def _sums(rows: QuerySet, group: tuple[str, ...], fields: Iterable[str]) -> QuerySet:
    return rows.values(*group).annotate(**{f"sum_{f}": Sum(f) for f in fields}).order_by()


def _unprefixed(row: dict) -> dict:
    return {k.removeprefix("sum_"): v for k, v in row.items()}


def monthly_totals(scope: FigureScope, start: dt.date, end: dt.date) -> dict[dt.date, Totals]:
    """Totals per month from `start` to `end` (a month without rows is absent, not zero)."""
    months: dict[dt.date, Totals] = {}
    for rows in _figure_rows(MonthlyOtif, ClosedMonthlyOtif, scope, start, end):
        for row in _sums(rows, ("period",), COUNTS):
            months.setdefault(row["period"], Totals()).add(_unprefixed(row))
    return months


def client_totals(scope: FigureScope) -> dict[int, Totals]:
    """Totals per client id over the scope's months."""
    clients: dict[int, Totals] = {}
    for rows in _figure_rows(MonthlyOtif, ClosedMonthlyOtif, scope, scope.start, scope.end):
        for row in _sums(rows, ("client",), COUNTS):
            clients.setdefault(row["client"], Totals()).add(_unprefixed(row))
    return clients


@dataclass(frozen=True)
class FailureRow:
    client_id: int
    area: str
    code: str | None
    status: str
    lines: int
    excused: int


def failures(scope: FigureScope) -> list[FailureRow]:
    """Failed lines per client x functional area x root-cause code x status over the scope."""
    merged: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for rows in _figure_rows(MonthlyFailure, ClosedMonthlyFailure, scope, scope.start, scope.end):
        for row in _sums(rows, ("client", "area", "code", "status"), ("lines", "excused")):
            key = (row["client"], row["area"], row["code"], row["status"])
            merged[key][0] += row["sum_lines"]
            merged[key][1] += row["sum_excused"]
    return [FailureRow(*key, lines, excused) for key, (lines, excused) in merged.items()]


def live_failures(scope: FigureScope) -> list[FailureRow]:
    """Like `failures`, but from the live rows of every month, closed ones included: what the
    root-cause workflow still has to do (a worklist), which the drill-down lists live too."""
    rows = _filtered(MonthlyFailure, scope, scope.start, scope.end)
    return [
        FailureRow(r["client"], r["area"], r["code"], r["status"], r["sum_lines"], r["sum_excused"])
        for r in _sums(rows, ("client", "area", "code", "status"), ("lines", "excused"))
    ]


@dataclass(frozen=True)
class StaleClose:
    close: MonthClose
    closed_lines: int
    live_lines: int
    records: bool = False  # the records its other KPIs read changed (batches, stock-outs, ...)
    lines: bool = False  # its figures are as closed, but its lines' values or notices changed


# Every figure a month shows (counts, quantities, values, delay classes, failure kinds): a
# closed month is stale when any of them moved, not only its count of lines.
FIGURE_FIELDS = tuple(
    f.name
    for f in MonthlyOtif._meta.concrete_fields
    if f.name not in ("id", "client", "site", "product", "period")
)


def stale_closes(scope: FigureScope) -> list[StaleClose]:
    """Closed months in the scope whose live figures differ from their snapshot.

    Compares every figure of the month (FIGURE_FIELDS summed, and the failed lines per
    functional area, code and root-cause state), within the scope's site and product, and the
    records the month's other KPIs read (tower.performance.frozen.stale_records).
    """
    group = ("client", "period")
    closes = {
        (c.client_id, c.period): c
        for c in MonthClose.objects.filter(
            client__in=[c.pk for c in scope.clients],
            period__gte=scope.start,
            period__lte=scope.end,
            reopened_at__isnull=True,
        )
    }
    if not closes:
        return []

    def figures(model, closed: bool, fields, by=group):
        rows = _filtered(model, scope, scope.start, scope.end)
        rows = (
            rows.filter(close__reopened_at__isnull=True) if closed else rows.filter(_open_close())
        )
        out: dict[tuple, dict] = defaultdict(dict)
        for row in _sums(rows, by, fields):
            key = tuple(row[g] for g in group)
            sums = tuple(_number(row[f"sum_{f}"]) for f in fields)
            out[key][tuple(row[g] for g in by[len(group) :])] = sums
        return out

    live = figures(MonthlyOtif, False, FIGURE_FIELDS)
    frozen = figures(ClosedMonthlyOtif, True, FIGURE_FIELDS)
    failure_by = (*group, "area", "code", "status")
    live_failures = figures(MonthlyFailure, False, ("lines", "excused"), failure_by)
    frozen_failures = figures(ClosedMonthlyFailure, True, ("lines", "excused"), failure_by)
    lines_at = FIGURE_FIELDS.index("lines")
    # The records the other KPIs read (batches, deviations, ...): compared whole, not narrowed.
    records_moved = stale_records(list(closes.values()), [k for k in KINDS if k not in LINE_KINDS])
    # The order lines' other data (line values, delay notices): compared whole, so only when
    # the scope is not narrowed to a site or product (their figures are compared above).
    narrowed = scope.site or scope.product
    lines_moved = set() if narrowed else stale_records(list(closes.values()), LINE_KINDS)
    stale = []
    for key, close in sorted(closes.items(), key=lambda item: (item[0][1], item[0][0])):
        figures_moved = live.get(key) != frozen.get(key) or live_failures.get(
            key
        ) != frozen_failures.get(key)
        # The lines' data (values, notices) moved while every figure stayed as closed.
        lines_only = not figures_moved and close.pk in lines_moved
        if figures_moved or close.pk in records_moved or lines_only:
            stale.append(
                StaleClose(
                    close,
                    (frozen.get(key, {}).get((), None) or (0,) * len(FIGURE_FIELDS))[lines_at],
                    (live.get(key, {}).get((), None) or (0,) * len(FIGURE_FIELDS))[lines_at],
                    close.pk in records_moved,
                    lines_only,
                )
            )
    return stale


def _number(value):
    """Sums compared across tables: floats rounded so that summing order cannot differ."""
    return round(value, 6) if isinstance(value, float) else value


def trend_window(end: dt.date) -> tuple[dt.date, dt.date]:
    """The 13 months ending with `end` (the trend always shows a year and the month before)."""
    return add_months(end, -(TREND_MONTHS - 1)), end


def failures_by_site(scope: FigureScope) -> dict[tuple[int, int | None, str], int]:
    """Failed lines per (client id, site id, functional area) over the scope's months (live rows
    of open months, the snapshot of closed ones), for pages that trace failures to a site's
    processes (harmonisation, the process map)."""
    counts: dict[tuple[int, int | None, str], int] = defaultdict(int)
    for rows in _figure_rows(MonthlyFailure, ClosedMonthlyFailure, scope, scope.start, scope.end):
        for row in _sums(rows, ("client", "site", "area"), ("lines",)):
            counts[row["client"], row["site"], row["area"]] += row["sum_lines"]
    return dict(counts)
