"""The client scorecard: one service computes it; the page, the CLI and every export read it.

    card = build_scorecard(client, parse_period("2026Q3"))
    card.kpi("otif_net").value, card.kpi("otif_net").status, card.to_dict()

A scorecard holds, for one client and one period (a quarter or a month), every KPI of
tower.engine.kpi_catalogue with its value, the agreement target and status colour
(kpis.md 7; a KPI with nothing measured is "no data"), the previous four periods as a trend,
the CMO's commentary, the agreed actions, the survey result, the stock-outs and the penalty
exposure. The records behind each KPI come from tower.scorecards.evidence.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import polars as pl
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tower.actions.models import Action, Source, Status
from tower.agreements.models import Agreement, PenaltyTerm
from tower.agreements.queries import Target, kpi_targets
from tower.engine import scorecard as kpis
from tower.engine.kpi_catalogue import GROUPS, KPIS, Kpi, format_value
from tower.engine.periods import Period, parse_period, quarter_of
from tower.engine.scorecard import Measure
from tower.ingest.limits import MAX_NUMBER
from tower.performance import frozen
from tower.performance.dashboard import (
    FigureScope,
    Totals,
    monthly_totals,
)
from tower.performance.functions import Records
from tower.performance.models import LineOutcome, MonthClose, RootCauseStatus
from tower.scorecards.measures import PLACES, narrowed, net_met, period_measures, read_records
from tower.scorecards.models import KpiComment, SurveyResponse
from tower.tenancy.models import Client

TREND_PERIODS = 4  # previous periods shown next to each KPI


@dataclass(frozen=True)
class TrendPoint:
    period: str  # key, e.g. "2026Q2"
    label: str  # e.g. "Q2 2026"
    value: float | None  # None: no data


@dataclass(frozen=True)
class KpiResult:
    kpi: Kpi
    value: float | None  # None: no data
    numerator: float | None  # e.g. lines on time (None for means such as yield)
    denominator: float | None  # e.g. lines measured; 0 or None with no data
    basis: str  # what the value is of, in words: "412 of 430 lines"
    target: float
    tolerance: float
    target_is_default: bool  # no agreement target: the catalogue default is shown
    status: str  # "green" | "amber" | "red" | "no_data"
    trend: tuple[TrendPoint, ...]  # the previous TREND_PERIODS periods, oldest first
    breakdown: dict[str, float] = field(default_factory=dict)  # e.g. incidents by severity
    comment: str = ""  # the CMO's commentary for this period

    @property
    def code(self) -> str:
        return self.kpi.code

    @property
    def name(self) -> str:
        return self.kpi.name

    @property
    def unit(self) -> str:
        return self.kpi.unit

    @property
    def display(self) -> str:
        """The value as every page and export prints it: "96.4 %", "2 events", "no data".

        Printed from the value the JSON export carries, so both always agree."""
        return format_value(_rounded(self.value), self.kpi.unit)

    @property
    def target_display(self) -> str:
        sign = "≥" if self.kpi.higher_is_better else "≤"
        return f"{sign} {format_value(self.target, self.kpi.unit)}"

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "group": self.kpi.group,
            "unit": self.unit,
            "value": _rounded(self.value),
            "display": self.display,
            "numerator": _rounded(self.numerator),
            "denominator": _rounded(self.denominator),
            "basis": self.basis,
            "target": self.target,
            "higher_is_better": self.kpi.higher_is_better,
            "tolerance": self.tolerance,
            "target_is_default": self.target_is_default,
            "status": self.status,
            "trend": [
                {"period": p.period, "label": p.label, "value": _rounded(p.value)}
                for p in self.trend
            ],
            "breakdown": {k: _rounded(v) for k, v in self.breakdown.items()},
            "comment": self.comment,
            "definition": self.kpi.definition,
        }


@dataclass(frozen=True)
class SurveySummary:
    responses: int
    means: dict[str, float | None]  # question code -> mean rating (None without responses)
    mean: float | None  # mean of all ratings: the satisfaction KPI
    comments: tuple[str, ...]


@dataclass(frozen=True)
class PenaltyExposure:
    term: str  # the term in words
    kind: str  # PenaltyTerm.Kind value
    amount: float
    currency: str
    basis: str  # "3 CMO-attributable failed lines worth 12,400.00" / "1 month below 95.0 %"


@dataclass(frozen=True)
class ActionRow:
    title: str
    owner: str
    due_date: dt.date | None
    status: str  # tower.actions.models.Status value
    kpi: str  # KPI code or ""
    period: str  # the period it was agreed in
    pk: int | None = None  # the register's Action, for the page's status form
    overdue: bool = False  # tower.actions.models.is_overdue on the scorecard's as-of date


@dataclass(frozen=True)
class StockOutRow:
    product: str
    location: str
    start_date: dt.date
    end_date: dt.date | None
    days_in_period: int
    cmo_caused: bool
    linked_lines: int
    source: str
    pk: int | None = None  # the StockOutEvent, for a link to its page
    # "caused", "not_caused" or "undetermined" (StockOutEvent.Attribution)
    attribution: str = "not_caused"

    @property
    def caused_word(self) -> str:
        """The attribution in one word for tables: Yes, No or Undetermined."""
        if self.cmo_caused:
            return "Yes"
        return "Undetermined" if self.attribution == "undetermined" else "No"


@dataclass
class Scorecard:
    client: Client
    period: Period
    as_of: dt.date  # figures as of this date (open stock-outs and CAPAs are judged on it)
    kpis: list[KpiResult]
    survey: SurveySummary
    actions: list[ActionRow]
    stock_outs: list[StockOutRow]
    penalties: list[PenaltyExposure]
    # Months of the period closed before some of their records were kept with the close: those
    # are read live, and each sentence says which (tower.performance.frozen.unfrozen_notes).
    unfrozen: tuple[str, ...] = ()

    def kpi(self, code: str) -> KpiResult:
        for result in self.kpis:
            if result.code == code:
                return result
        raise KeyError(code)

    def groups(self) -> list[tuple[str, list[KpiResult]]]:
        """KPIs by group (Delivery, Customer stock-outs, ...), in catalogue order."""
        return [(g, [k for k in self.kpis if k.kpi.group == g]) for g in GROUPS]

    def to_dict(self) -> dict:
        """Everything the JSON export writes: plain numbers, texts and ISO dates."""
        return {
            "client": {"code": self.client.code, "name": self.client.name},
            "period": {
                "key": self.period.key,
                "label": self.period.label,
                "kind": self.period.kind,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "as_of": self.as_of.isoformat(),
            "unfrozen": list(self.unfrozen),
            "kpis": [k.to_dict() for k in self.kpis],
            "survey": {
                "responses": self.survey.responses,
                "means": {q: _rounded(v) for q, v in self.survey.means.items()},
                "mean": _rounded(self.survey.mean),
                "comments": list(self.survey.comments),
            },
            "actions": [
                {
                    "title": a.title,
                    "owner": a.owner,
                    "due_date": a.due_date.isoformat() if a.due_date else None,
                    "status": a.status,
                    "kpi": a.kpi,
                    "period": a.period,
                }
                for a in self.actions
            ],
            "stock_outs": [
                {
                    "product": s.product,
                    "location": s.location,
                    "start_date": s.start_date.isoformat(),
                    "end_date": s.end_date.isoformat() if s.end_date else None,
                    "days_in_period": s.days_in_period,
                    "cmo_caused": s.cmo_caused,
                    "attribution": s.attribution,
                    "linked_lines": s.linked_lines,
                    "source": s.source,
                }
                for s in self.stock_outs
            ],
            "penalties": [
                {
                    "term": p.term,
                    "kind": p.kind,
                    "amount": round(p.amount, 2),
                    "currency": p.currency,
                    "basis": p.basis,
                }
                for p in self.penalties
            ],
        }


DECIMALS = 1  # values are printed and exported to one decimal (a mean rating to two)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def finite(value: float | None) -> float | None:
    """`value`, or None (no data) when it is infinite or not a number. Imports refuse such
    numbers, but rows stored before they did, or a ratio of extreme ones, must still show
    "no data" rather than "inf %" in green, and never break an export."""
    return value if value is None or math.isfinite(value) else None


# --- the service ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    """What the scorecard computes every period of a span from (read once for the span)."""

    records: Records
    months: dict[dt.date, Totals]  # summed monthly OTIF figures per month
    measures: dict[str, dict[str, Measure]]  # period key -> KPI code -> Measure
    responses: dict[str, list[SurveyResponse]]  # quarter key -> the survey's responses


def period_figures(
    client: Client,
    periods: list[Period],
    *,
    as_of: dt.date,
    site: str | None = None,
    product: str | None = None,
) -> PeriodFigures:
    """Every KPI of the catalogue for each of `periods` (consecutive, oldest first) of `client`,
    optionally of one site and/or product (each record frame narrowed where it names them; see
    PLACES for which KPIs that makes a figure of the site or product).

    The one computation of the scorecard's figures: build_scorecard reads its period and trend
    from here, and so does any other page that shows a scorecard KPI over time (the KPI trend
    of an improvement project), so both always show the same numbers.
    """
    first, last = periods[0].start, periods[-1].end
    records = narrowed(read_records([client], first, last), site=site, product=product)
    months = monthly_totals(
        FigureScope((client,), first, last, site=site, product=product), first, last
    )
    totals = {
        p.key: Totals.of(t.counts for m, t in months.items() if p.start <= m <= p.end)
        for p in periods
    }
    responses = survey_responses(client, periods)
    measures = {
        p.key: period_measures(
            records,
            p.start,
            p.end,
            as_of,
            totals[p.key],
            responses[p.key],
        )
        for p in periods
    }
    return PeriodFigures(records, months, measures, responses)


def kpi_trend(
    client: Client,
    kpi: str,
    periods: list[Period],
    *,
    as_of: dt.date | None = None,
    site: str | None = None,
    product: str | None = None,
) -> list[TrendPoint]:
    """One KPI's value in each period, exactly as the scorecard of that period shows it; of one
    site and/or product where the KPI can be computed for them (PLACES; the others are ignored:
    the caller says so, see `places_of`)."""
    site, product = (
        (site if "site" in PLACES[kpi] else None),
        (product if "product" in PLACES[kpi] else None),
    )
    figures = period_figures(
        client, periods, as_of=as_of or timezone.localdate(), site=site, product=product
    )
    return [TrendPoint(p.key, p.label, finite(figures.measures[p.key][kpi].value)) for p in periods]


def build_scorecard(client: Client, period: Period, *, as_of: dt.date | None = None) -> Scorecard:
    """The scorecard of `client` (already scoped by the caller) for `period`.

    About a dozen queries whatever the client's size: the records of the period and its trend
    are read once (tower.performance.records, tower.stockouts.records) and every
    period is computed from them in Polars.
    """
    as_of = as_of or timezone.localdate()
    periods = [*period.previous(TREND_PERIODS), period]
    figures = period_figures(client, periods, as_of=as_of)
    records, months, measures = figures.records, figures.months, figures.measures
    responses = figures.responses
    targets = kpi_targets([client])[client.pk]
    comments = dict(
        KpiComment.objects.filter(client=client, period=period.key).values_list("kpi", "text")
    )
    results = []
    for kpi in KPIS:
        measure = measures[period.key][kpi.code]
        target = targets[kpi.code]
        results.append(
            KpiResult(
                kpi=kpi,
                value=finite(measure.value),
                numerator=finite(measure.numerator),
                denominator=finite(measure.denominator),
                basis=measure.basis,
                target=target.value,
                tolerance=target.tolerance,
                target_is_default=target.is_default,
                status=target.status(finite(measure.value)),
                trend=tuple(
                    TrendPoint(p.key, p.label, finite(measures[p.key][kpi.code].value))
                    for p in periods[:-1]
                ),
                breakdown=measure.breakdown,
                comment=comments.get(kpi.code, ""),
            )
        )
    return Scorecard(
        client=client,
        period=period,
        as_of=as_of,
        kpis=results,
        survey=survey_summary(responses[period.key]),
        actions=actions_for(client, period, as_of),
        stock_outs=[
            StockOutRow(
                pk=row["event_id"],
                product=row["product"],
                location=row["location"],
                start_date=row["start_date"],
                end_date=row["end_date"],
                days_in_period=row["days_in_period"],
                cmo_caused=row["cmo_caused"],
                attribution=row["attribution"],
                linked_lines=row["linked_lines"],
                source=row["source"],
            )
            for row in kpis.stock_out_days(
                records.stock_outs, period.start, period.end, as_of
            ).iter_rows(named=True)
        ],
        penalties=penalty_exposure(client, period, months, targets["otif_net"]),
        unfrozen=frozen.unfrozen_notes(
            MonthClose.objects.filter(
                client=client, period__in=period.months, reopened_at__isnull=True
            )
        ),
    )


def survey_responses(client: Client, periods: list[Period]) -> dict[str, list[SurveyResponse]]:
    """The client's survey responses for each period (by key): those of its quarter.

    A period whose last month is closed reads the responses as they were when it was closed
    (their audited history), so a survey answered or changed after the close does not move it.
    """
    closes = dict(
        MonthClose.objects.filter(
            client=client,
            period__in=[p.months[-1] for p in periods],
            reopened_at__isnull=True,
        ).values_list("period", "closed_at")
    )
    quarters = {quarter_of(p.start).key for p in periods}
    live: dict[str, list[SurveyResponse]] = {}
    for response in SurveyResponse.objects.filter(client=client, period__in=quarters).order_by(
        "submitted_at"
    ):
        live.setdefault(response.period, []).append(response)
    frozen = {p.key: closes[p.months[-1]] for p in periods if p.months[-1] in closes}
    # One query for every closed period: the audited versions up to the latest close.
    versions = (
        list(
            SurveyResponse.history.filter(
                client=client,
                period__in={quarter_of(p.start).key for p in periods if p.key in frozen},
                history_date__lte=max(frozen.values()),
            ).order_by("history_date", "history_id")
        )
        if frozen
        else []
    )
    found = {}
    for p in periods:
        quarter = quarter_of(p.start).key
        closed_at = frozen.get(p.key)
        if closed_at is None:
            found[p.key] = live.get(quarter, [])
            continue
        latest = {}  # response id -> its last version at the close
        for version in versions:
            if version.period == quarter and version.history_date <= closed_at:
                latest[version.id] = version
        found[p.key] = sorted(
            (v.instance for v in latest.values() if v.history_type != "-"),
            key=lambda r: r.submitted_at,
        )
    return found


def survey_summary(responses: list[SurveyResponse]) -> SurveySummary:
    means = {
        q: (sum(getattr(r, q) for r in responses) / len(responses) if responses else None)
        for q in SurveyResponse.QUESTIONS
    }
    ratings = [value for r in responses for value in r.ratings()]
    return SurveySummary(
        responses=len(responses),
        means=means,
        mean=sum(ratings) / len(ratings) if ratings else None,
        comments=tuple(r.comment for r in responses if r.comment),
    )


def actions_for(client: Client, period: Period, as_of: dt.date) -> list[ActionRow]:
    """The review actions of the register agreed in this period, and those agreed before it that
    are still open; each flagged overdue on `as_of` by the register's one definition."""
    rows = []
    for action in Action.objects.filter(client=client, source=Source.REVIEW):
        try:
            agreed = parse_period(action.period)
        except ValueError:
            continue
        if action.period == period.key or (
            action.status == Status.OPEN and agreed.start < period.start
        ):
            rows.append(
                ActionRow(
                    action.title,
                    action.owner,
                    action.due_date,
                    action.status,
                    action.kpi,
                    action.period,
                    pk=action.pk,
                    overdue=action.is_overdue(as_of),
                )
            )
    return rows


def penalty_exposure(
    client: Client, period: Period, months: dict[dt.date, Totals], net_target: Target
) -> list[PenaltyExposure]:
    """What the agreement's penalty terms imply for the period (kpis.md 6)."""
    terms = list(PenaltyTerm.objects.filter(client=client).order_by("pk"))
    if not terms:
        return []
    currency = (
        Agreement.objects.filter(client=client).values_list("currency", flat=True).first() or "EUR"
    )
    exposures = []
    failed = None  # the CMO-attributable failed lines, read once for all line-value terms
    for term in terms:
        if term.kind == PenaltyTerm.Kind.LINE_VALUE_PCT:
            failed = failed or attributable_failures(client, period)
            value = failed["value"]
            basis = (
                f"{failed['lines']:,} CMO-attributable failed lines worth {value:,.2f} {currency}"
            )
            if failed["unvalued"]:
                basis += f" ({failed['unvalued']:,} without a line value)"
            amount = value * term.rate / 100
            words = f"{term.rate:g} % of the line value per CMO-attributable failed line"
        else:
            below = [
                m
                for m in period.months
                if m in months and months[m].lines and months[m].pct("net_otif") < net_target.value
            ]
            named = ", ".join(f"{m:%b %Y}" for m in below) or "none"
            basis = f"{len(below)} month{'s' if len(below) != 1 else ''} below the net OTIF target of {net_target.value:g} % ({named})"
            amount = len(below) * term.rate
            words = f"{term.rate:,.2f} {currency} per month below the OTIF target"
        if term.description:
            words = f"{term.description}: {words}"
        exposures.append(PenaltyExposure(words, term.kind, amount, currency, basis))
    return exposures


def attributable_failures(client: Client, period: Period) -> dict[str, float]:
    """The period's measured lines that failed and count against the CMO (net OTIF failures):
    how many, their line value summed, and how many have no line value. A closed month's come
    from its snapshot (as at the close), the open months' are summed by the database. A stored
    value out of the import's range (inf, nan, 1e308: rows from before it was checked) counts
    as no line value rather than making the exposure infinite."""
    found = frozen.frozen([client], period.start, period.end, ("lines",))
    closed = sorted(found.months.get("lines", {}).get(client.pk, ()))
    valued = Q(line__line_value__gte=-MAX_NUMBER, line__line_value__lte=MAX_NUMBER)
    live = (
        LineOutcome.objects.filter(
            client=client,
            period__gte=period.start,
            period__lte=period.end,
            state="measured",
            otif=False,
        )
        .exclude(period__in=closed)
        .exclude(
            line__root_cause__status=RootCauseStatus.APPROVED,
            line__root_cause__code__area__cmo_attributable=False,
        )
        .aggregate(
            lines=Count("pk"),
            value=Sum("line__line_value", filter=valued),
            unvalued=Count("pk", filter=Q(line__line_value__isnull=True) | ~valued),
        )
    )
    failed = {"lines": live["lines"], "value": live["value"] or 0.0, "unvalued": live["unvalued"]}
    if closed:
        # The snapshots of this client's closed months of the period (frozen() read no other).
        lines = pl.concat(found.frames["lines"], how="diagonal_relaxed").filter(~net_met())
        in_range = pl.col("line_value").is_between(-MAX_NUMBER, MAX_NUMBER).fill_null(False)
        failed["lines"] += lines.height
        failed["value"] += float(lines.filter(in_range)["line_value"].sum())
        failed["unvalued"] += lines.filter(~in_range).height
    return failed
