"""What every scorecard export writes the same way: status words and colours, targets, trend
series, survey question names, and text made safe and short enough for a slide or a cell."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import NamedTuple

from tower.actions.models import Status
from tower.agreements.models import PenaltyTerm
from tower.engine.kpi_catalogue import KPI_BY_CODE, format_value
from tower.engine.targets import status_label
from tower.scorecards.models import SurveyResponse
from tower.scorecards.scorecard import (
    ActionRow,
    KpiResult,
    Scorecard,
)
from tower.stockouts.models import StockOutEvent

AUTHOR = "The CMO"
PREPARED_BY = "Prepared by the CMO"


class Palette(NamedTuple):
    text: str  # hex RGB without "#"
    fill: str
    line: str


# The web app's palette (tower.css), so a deck looks like the page it came from.
STATUS_COLOURS = {
    "green": Palette("1D6B37", "E5F3E9", "2F9A55"),
    "amber": Palette("7A4D00", "FDF1D6", "D99A1E"),
    "red": Palette("A32016", "FCE8E6", "D0453A"),
    "no_data": Palette("4F5966", "ECEFF3", "9AA4B1"),
}
ACCENT = "1A5FA6"
TEXT = "1F2933"
MUTED = "5B6675"
BORDER = "D5DAE1"
SURFACE_ALT = "F8F9FB"
TARGET_LINE = "A32016"


def status_word(status: str) -> str:
    return status_label(status)


def status_colours(status: str) -> Palette:
    return STATUS_COLOURS.get(status, STATUS_COLOURS["no_data"])


def number_format(unit: str) -> str:
    """The Excel/PowerPoint number format that writes a value as format_value does."""
    if unit == "%":
        return '0.0" %"'
    if unit == "of 5":
        return "0.00"
    if unit in ("events", "days"):
        return "0"
    return "0.0"


def as_displayed(value: float | None, unit: str) -> float | None:
    """The value rounded as format_value prints it ("96.25" -> 96.2), for charts whose labels
    must read as the tables do: Excel and PowerPoint round halves away from zero, Python's
    formatting to even. Read back from format_value's text so the rule stays in one place."""
    if value is None:
        return None
    return float(format_value(value, unit).split(" ", 1)[0])


DEFAULT_TARGET_MARK = "*"
DEFAULT_TARGET_NOTE = "* No target in the agreement: the catalogue default is shown."


def target_text(result: KpiResult) -> str:
    """'≥ 95.0 %', marked when no agreement sets it and the catalogue default stands in."""
    mark = f" {DEFAULT_TARGET_MARK}" if result.target_is_default else ""
    return result.target_display + mark


def any_default_target(results: Iterable[KpiResult]) -> bool:
    return any(r.target_is_default for r in results)


def breakdown_text(result: KpiResult) -> str:
    """'minor 3.5, major 1.8, critical 0.9 per 100 batches' (the basis has the counts)."""
    if not result.breakdown:
        return ""
    parts = ", ".join(
        f"{name} {format_value(value, result.unit).split(' ', 1)[0]}"
        for name, value in result.breakdown.items()
    )
    return f"{parts} {result.unit}".rstrip()


def heading(card: Scorecard) -> str:
    """'Acme Pharma (ACME) · Q3 2026': how headers and footers name the scorecard."""
    return f"{card.client.name} ({card.client.code}) · {card.period.label}"


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def date_text(day: dt.date | None, missing: str = "—") -> str:
    return day.isoformat() if day else missing


class TrendSeries(NamedTuple):
    labels: list[str]  # the trend periods, oldest first, then the scorecard's period
    values: list[float | None]  # as displayed; None: no data in that period
    target: float


def trend_series(card: Scorecard, result: KpiResult) -> TrendSeries:
    values = [p.value for p in result.trend] + [result.value]
    return TrendSeries(
        labels=[p.label for p in result.trend] + [card.period.label],
        values=[as_displayed(v, result.unit) for v in values],
        target=result.target,
    )


def trend_periods(card: Scorecard) -> list[tuple[str, str]]:
    """(key, label) of the trend periods, oldest first; every KPI has the same ones."""
    for result in card.kpis:
        if result.trend:
            return [(p.period, p.label) for p in result.trend]
    return []


def kpi_name(code: str) -> str:
    kpi = KPI_BY_CODE.get(code)
    return kpi.name if kpi else code


def question_label(code: str) -> str:
    return SurveyResponse.QUESTIONS.get(code, code.replace("_", " ").capitalize())


def action_status(action: ActionRow) -> str:
    """'Open', 'Done', 'Cancelled', or 'Open, overdue' (the register's definition, flagged on the
    scorecard's as-of date when the row was read: the page shows the same)."""
    word = Status(action.status).label if action.status in Status.values else action.status
    return f"{word}, overdue" if action.overdue else word


def stock_out_source(source: str) -> str:
    if source in StockOutEvent.Source:
        return StockOutEvent.Source(source).label
    return source


def penalty_kind(kind: str) -> str:
    return PenaltyTerm.Kind(kind).label if kind in PenaltyTerm.Kind else kind


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def penalty_totals(card: Scorecard) -> list[str]:
    """The exposure summed per currency: ['12,400.00 EUR']."""
    totals: dict[str, float] = {}
    for penalty in card.penalties:
        totals[penalty.currency] = totals.get(penalty.currency, 0.0) + penalty.amount
    return [money(amount, currency) for currency, amount in totals.items()]


# XML 1.0 (every format here is XML underneath) forbids these; a pasted comment can carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def plain(text: str | None) -> str:
    return _CONTROL.sub("", text or "")


def clip(text: str | None, limit: int) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters ("…" added)."""
    flat = " ".join(plain(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"
