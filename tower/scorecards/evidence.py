"""The records behind one KPI of a scorecard: what a reviewer clicks through to.

    ev = evidence(client, parse_period("2026Q3"), "qc_release_on_time")
    ev.title, ev.note, ev.frame, ev.columns

`frame` has one row per record the KPI counted, computed by the same functions as the
scorecard (tower.scorecards.measures), so the rows always add up to the figure. Its `counts`
column is True when the record meets the KPI, False when it does not, and null when it could not
be judged (left out; the note says why). Columns ending in `_id` are keys for links (a line's
page, a stock-out's page), not for display; `columns` lists the displayable ones with labels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.utils import timezone

from tower.engine import scorecard as kpis
from tower.engine.kpi_catalogue import KPI_BY_CODE, Kpi
from tower.engine.periods import Period, quarter_of
from tower.escalations import records as escalation_records
from tower.performance import records as data
from tower.performance.functions import FRAME_KPIS
from tower.scorecards.measures import (
    OTIF_KPIS,
    STOCK_OUT_KPIS,
    closed_escalations,
    judging_moment,
    read_kind,
    read_records,
)
from tower.scorecards.measures import measured_lines as lines_of
from tower.scorecards.models import SurveyResponse
from tower.scorecards.scorecard import survey_responses
from tower.tenancy.models import Client

LABELS = {
    "batch": "Batch",
    "product": "Product",
    "site": "Site",
    "planned_start": "Planned start",
    "actual_start": "Actual start",
    "planned_end": "Planned end",
    "actual_end": "Completed",
    "material_ready_date": "Materials ready",
    "planned_release_date": "Planned release",
    "actual_release_date": "QC disposition",
    "theoretical_output": "Theoretical output",
    "actual_output": "Actual output",
    "yield_pct": "Yield %",
    "disposition": "Disposition",
    "deviations": "Deviations",
    "deviation": "Deviation",
    "severity": "Severity",
    "category": "Category",
    "area": "Root-cause area",
    "opened_date": "Opened",
    "closed_date": "Closed",
    "title": "Title",
    "capa": "CAPA",
    "due_date": "Due",
    "week": "Week",
    "planned_qty": "Planned qty",
    "released_qty": "Released qty",
    "adhered_qty": "Adhered qty",
    "order": "Order",
    "line": "Line",
    "delivery": "Delivery",
    "shipped_date": "Shipped",
    "planned_ship_date": "Planned ship date",
    "location": "Location",
    "start_date": "Start",
    "end_date": "End",
    "days_in_period": "Days in period",
    "starts_in_period": "Started in period",
    "cmo_caused": "Caused by the CMO",
    "attribution": "Caused by the CMO",
    "linked_lines": "Lines behind it",
    "source": "Source",
    "completion_date": "Delivered",
    "days_late": "Days late",
    "on_time": "On time",
    "in_full": "In full",
    "otif": "OTIF",
    "root_cause": "Root cause",
    "root_cause_status": "Cause status",
    "cmo_attributable": "CMO-attributable",
    "comment": "Comment",
    "counts": "Counts",
    "first_notice_date": "First delay notice",
    "lead_days": "Days' notice",
    "kind": "Trigger",
    "opened_local": "Opened",
    "deadline_local": "Level 1 deadline",
    "acknowledged_local": "Acknowledged",
    "acknowledged_by": "Acknowledged by",
    "level": "Level reached",
    "time_zone": "Site time zone",
    "outcome": "Outcome",
    **SurveyResponse.QUESTIONS,
}
ESCALATION_COLUMNS = (
    "escalation_id",
    "title",
    "kind",
    "site",
    "opened_local",
    "deadline_local",
    "acknowledged_local",
    "acknowledged_by",
    "level",
    "time_zone",
    "outcome",
    "counts",
)
ATTRIBUTION_WORDS = {"caused": "yes", "not_caused": "no", "undetermined": "undetermined"}
COUNTS_LABEL = {
    "otif_net": "Met (net)",
    "otif_gross": "OTIF",
    "on_time": "On time",
    "ship_on_time": "Shipped on plan",
    "material_readiness": "Materials ready",
    "qc_release_on_time": "Released on time",
    "right_first_time": "Right first time",
    "lot_acceptance": "Released",
    "capa_on_time": "Closed on time",
    "notices_in_advance": "Announced in advance",
    "notice_lead_time": "Announced in advance",
    kpis.ESCALATION_KPI: "Acknowledged in time",
}


@dataclass(frozen=True)
class Evidence:
    kpi: Kpi
    title: str
    note: str
    frame: pl.DataFrame

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(column, label) of the columns to show, in frame order."""
        label = {**LABELS, "counts": COUNTS_LABEL.get(self.kpi.code, "Counts")}
        return [(c, label.get(c, c)) for c in self.frame.columns if not c.endswith("_id")]


def evidence(
    client: Client, period: Period, code: str, *, as_of: dt.date | None = None
) -> Evidence:
    """The records behind KPI `code` of the client's scorecard for `period` (KeyError if unknown)."""
    kpi = KPI_BY_CODE[code]
    as_of = as_of or timezone.localdate()
    start, end = period.start, period.end
    if code in OTIF_KPIS:
        frame = measured_lines(client, period, counts=code)
        note = (
            "Order lines measured in the period (line grain), by the month their due date falls in."
        )
    elif code == "ship_on_time":  # the figure comes from monthly counts; these are the deliveries
        frame = kpis.ship_on_time(data.shipments([client], start, end), start, end)[0]
        note = kpi.definition + "."
    elif code in FRAME_KPIS:
        records = read_records([client], start, end)
        frame = FRAME_KPIS[code](records, start, end, as_of)[0]
        note = kpi.definition + "."
    elif code in kpis.NOTICE_KPIS:
        late = read_kind("late_lines", [client], start, end)  # a closed month: as at its close
        frame = kpis.announced_lines(late, start, end).drop("period", "client_id")
        note = (
            "Late lines measured in the period (not on time), with the first delay notice that "
            "covered each: a line counts as announced when that notice was sent at least "
            f"{kpis.NOTICE_MIN_DAYS} day before its due date; the lead time is the median "
            "of the days' notice over the announced lines."
        )
    elif code == kpis.ESCALATION_KPI:
        rows = closed_escalations(escalation_records.escalations([client], start, end))
        frame = kpis.acknowledged_escalations(rows, start, end, judging_moment(as_of)).select(
            *ESCALATION_COLUMNS
        )
        note = (
            "Escalations whose first level's deadline falls in the period, by the local date of "
            "the clock's site; times are the site's local time (its time zone is shown). One "
            "counts when acknowledged by that deadline; one acknowledged later, or still not "
            "acknowledged when the deadline passed, is a miss; one whose deadline is still ahead "
            "is left out. A closed month shows them as they stood at its close."
        )
    elif code in STOCK_OUT_KPIS:
        records = read_records([client], start, end)
        # One attribution column, in words: yes, no or undetermined (kpis.md 5, README).
        frame = (
            kpis.stock_out_rows(records.stock_outs, start, end, as_of)
            .with_columns(pl.col("attribution").replace_strict(ATTRIBUTION_WORDS, default="no"))
            .drop("cmo_caused")
        )
        note = (
            "Stock-outs that lasted into the period; events and the share count those starting "
            "in it, days count every day in it (an open stock-out until the as-of date)."
        )
    else:  # satisfaction
        quarter = quarter_of(start)
        # As the scorecard reads them: as of the close when the period's last month is closed.
        responses = survey_responses(client, [period])[period.key]
        frame = pl.DataFrame(
            [(*r.ratings(), r.comment) for r in responses],
            schema={**dict.fromkeys(SurveyResponse.QUESTIONS, pl.Int64), "comment": pl.String},
            orient="row",
        )
        note = f"Survey responses for {quarter.label}, one row per person who answered."
    return Evidence(kpi, f"{kpi.name}: {client.name}, {period.label}", note, frame)


def measured_lines(client: Client, period: Period, *, counts: str) -> pl.DataFrame:
    """The client's measured lines of the period with outcome and root cause, as at the close
    for a closed month (tower.scorecards.measures.measured_lines)."""
    met = {"otif_net": "met_net", "otif_gross": "otif", "on_time": "on_time"}[counts]
    return (
        lines_of(client, period.start, period.end)
        .with_columns(pl.col(met).alias("counts"))
        .select(*EVIDENCE_LINE_COLUMNS, "counts")
    )


# The columns of the OTIF KPIs' record lists, in order (the snapshot's extra columns left out).
EVIDENCE_LINE_COLUMNS = (
    "line_id",
    "order",
    "line",
    "product",
    "due_date",
    "completion_date",
    "days_late",
    "on_time",
    "in_full",
    "otif",
    "root_cause",
    "root_cause_status",
    "cmo_attributable",
)
