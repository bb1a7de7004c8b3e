"""The operational, quality and stock-out KPIs of kpis.md 4 and 5, over Polars frames.

Pure, like the OTIF engine: the scorecard service feeds it frames read from the database and a
period; each KPI function returns the records it counted (the evidence a reviewer clicks
through to, with a boolean `counts` column where a record is met or not) and the Measure.

Input frames (extra columns are ignored; dates are pl.Date):
  batches     batch, product, site, planned_start, actual_start, planned_end, actual_end,
              material_ready_date, planned_release_date, actual_release_date,
              theoretical_output, actual_output (Float64), disposition (String, "" = pending),
              deviations (Int64: deviations raised on the batch, at any time)
  deviations  deviation, batch, severity ("minor" | "major" | "critical"), opened_date, ...
  capas       capa, deviation, due_date, closed_date
  plan        product, site, week (the Monday), planned_qty, released_qty (Float64)
  shipments   order, line, product, shipped_date, planned_ship_date (one row per delivery)
  monthly_shipments  period (month), shipped, on_plan, unplanned (performance.MonthlyShipping)
  stock_outs  product, location, start_date, end_date, cmo_caused (Boolean), linked_lines,
              optionally attribution ("caused" | "not_caused" | "undetermined")

A record whose deciding date is missing (a batch released without a planned release date, a
delivery without a planned ship date) cannot be judged: it is left out and the basis says how
many were, rather than counted as met or failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

SEVERITIES = ("minor", "major", "critical")


@dataclass(frozen=True)
class Measure:
    value: float | None  # None: no data (nothing measured), never 0 or 100
    numerator: float | None
    denominator: float | None
    basis: str  # what the value is of, in words
    breakdown: dict[str, float] = field(default_factory=dict)


def no_data(basis: str) -> Measure:
    return Measure(None, None, None, basis)


def share(met: int, total: int, noun: str, *, left_out: int = 0, why: str = "") -> Measure:
    """met / total as a percentage; no data when nothing was measured."""
    note = f" ({left_out:,} {why} left out)" if left_out else ""
    if total == 0:
        return Measure(None, 0, 0, f"no {noun}{note}")
    return Measure(met / total * 100, met, total, f"{met:,} of {total:,} {noun}{note}")


def _within(column: str, start: dt.date, end: dt.date) -> pl.Expr:
    return pl.col(column).is_between(pl.lit(start), pl.lit(end), closed="both")


def _judged(rows: pl.DataFrame, condition: pl.Expr, decides: str) -> tuple[pl.DataFrame, int]:
    """Rows with a `counts` column, and how many rows lacked the deciding date (left out)."""
    rows = rows.with_columns(
        pl.when(pl.col(decides).is_null()).then(None).otherwise(condition).alias("counts")
    )
    return rows, rows["counts"].null_count()


def _met(rows: pl.DataFrame) -> int:
    return int(rows["counts"].sum() or 0)


def _measured(rows: pl.DataFrame) -> int:
    return rows.height - rows["counts"].null_count()


# --- operations (levels 3 of the cascade) ----------------------------------------------------


def schedule_adherence(plan: pl.DataFrame, start: dt.date, end: dt.date, as_of: dt.date):
    """Per product and week: sum(plan - |plan - released|) / sum(plan) (kpis.md 4).

    Only weeks that have ended by the as-of date count: a week still running has not released
    its plan yet and would count as missed.
    """
    last_monday = min(end, as_of - dt.timedelta(days=6))
    weeks = (
        plan.filter(_within("week", start, last_monday))
        .group_by("product", "week")
        .agg(pl.col("planned_qty").sum(), pl.col("released_qty").sum())
        .with_columns(
            (pl.col("planned_qty") - (pl.col("planned_qty") - pl.col("released_qty")).abs()).alias(
                "adhered_qty"
            )
        )
        .sort("week", "product")
    )
    planned = float(weeks["planned_qty"].sum() or 0)
    if planned == 0:
        return weeks, no_data("no planned quantity")
    adhered = float(weeks["adhered_qty"].sum())
    return weeks, Measure(
        adhered / planned * 100,
        adhered,
        planned,
        f"{adhered:,.0f} of {planned:,.0f} planned units, {weeks.height:,} product-weeks",
    )


def material_readiness(batches: pl.DataFrame, start: dt.date, end: dt.date):
    """Batches with materials ready by the planned start / batches started."""
    started = batches.filter(_within("actual_start", start, end))
    rows, unknown = _judged(
        started,
        pl.col("material_ready_date") <= pl.coalesce("planned_start", "actual_start"),
        "material_ready_date",
    )
    return rows, share(
        _met(rows),
        _measured(rows),
        "batches started",
        left_out=unknown,
        why="without a material-ready date",
    )


def qc_release_on_time(batches: pl.DataFrame, start: dt.date, end: dt.date):
    """Batches released on or before the planned release date / batches released."""
    released = batches.filter(
        (pl.col("disposition") == "released") & _within("actual_release_date", start, end)
    )
    rows, unknown = _judged(
        released,
        pl.col("actual_release_date") <= pl.col("planned_release_date"),
        "planned_release_date",
    )
    return rows, share(
        _met(rows),
        _measured(rows),
        "batches released",
        left_out=unknown,
        why="without a planned release date",
    )


def shipment_flags(shipments: pl.DataFrame) -> pl.DataFrame:
    """Deliveries with `counts`: shipped on or before the planned ship date (null: no plan)."""
    return _judged(
        shipments, pl.col("shipped_date") <= pl.col("planned_ship_date"), "planned_ship_date"
    )[0]


def ship_on_time(shipments: pl.DataFrame, start: dt.date, end: dt.date):
    """Deliveries shipped on or before the planned ship date / deliveries shipped (one row each)."""
    rows = shipment_flags(shipments.filter(_within("shipped_date", start, end)))
    return rows, share(
        _met(rows),
        _measured(rows),
        "deliveries shipped",
        left_out=rows["counts"].null_count(),
        why="without a planned ship date",
    )


def monthly_ship_on_time(monthly: pl.DataFrame, start: dt.date, end: dt.date):
    """ship_on_time from monthly counts (period, shipped, on_plan, unplanned), as stored."""
    rows = monthly.filter(_within("period", start, end))
    shipped, on_plan, unplanned = (
        int(rows[c].sum() or 0) for c in ("shipped", "on_plan", "unplanned")
    )
    return rows, share(
        on_plan,
        shipped - unplanned,
        "deliveries shipped",
        left_out=unplanned,
        why="without a planned ship date",
    )


# --- quality -------------------------------------------------------------------------------------


def completed(batches: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Batches whose manufacturing ended in the period: the base of the quality KPIs."""
    return batches.filter(_within("actual_end", start, end))


def incident_rate(batches: pl.DataFrame, deviations: pl.DataFrame, start: dt.date, end: dt.date):
    """Deviations opened per 100 batches completed in the period, in total and by severity."""
    opened = deviations.filter(_within("opened_date", start, end)).sort("opened_date")
    made = completed(batches, start, end).height
    counts = {s: opened.filter(pl.col("severity") == s).height for s in SEVERITIES}
    words = ", ".join(f"{n} {s}" for s, n in counts.items())
    raised = f"{opened.height:,} deviation{'' if opened.height == 1 else 's'} ({words})"
    if made == 0:
        return opened, no_data(f"{raised}, no batch completed")
    return opened, Measure(
        opened.height / made * 100,
        opened.height,
        made,
        f"{raised} for {made:,} batch{'' if made == 1 else 'es'} completed",
        {s: n / made * 100 for s, n in counts.items()},
    )


def right_first_time(batches: pl.DataFrame, start: dt.date, end: dt.date):
    """Batches completed with no deviation and no rework / batches completed.

    A rejected batch is not right first time either: in GMP a rejection always comes with an
    investigation, and a file that lacks the deviation must not make the batch look right.
    """
    rows = completed(batches, start, end).with_columns(
        (
            (pl.col("deviations") == 0) & ~pl.col("disposition").is_in(["reworked", "rejected"])
        ).alias("counts")
    )
    return rows, share(_met(rows), rows.height, "batches completed")


def lot_acceptance(batches: pl.DataFrame, start: dt.date, end: dt.date):
    """Lots released / lots dispositioned (released + rejected) in the period."""
    rows = batches.filter(
        pl.col("disposition").is_in(["released", "rejected"])
        & _within("actual_release_date", start, end)
    ).with_columns((pl.col("disposition") == "released").alias("counts"))
    return rows, share(_met(rows), rows.height, "lots dispositioned")


def batch_yield(batches: pl.DataFrame, start: dt.date, end: dt.date):
    """Mean of actual / theoretical output over the batches completed in the period."""
    rows = completed(batches, start, end).with_columns(
        pl.when(pl.col("theoretical_output") > 0)
        .then(pl.col("actual_output") / pl.col("theoretical_output") * 100)
        .alias("yield_pct")
    )
    measured = rows["yield_pct"].drop_nulls()
    unknown = rows.height - measured.len()
    note = f" ({unknown:,} without output figures left out)" if unknown else ""
    if measured.is_empty():
        return rows, no_data(f"no batch completed with output figures{note}")
    return rows, Measure(
        float(measured.mean()), None, measured.len(), f"mean of {measured.len():,} batches{note}"
    )


def capa_on_time(capas: pl.DataFrame, start: dt.date, end: dt.date, as_of: dt.date):
    """Corrective actions closed by their due date / corrective actions due in the period.

    Only actions already due on the as-of date count: one due next week is not late yet.
    """
    due = capas.filter(_within("due_date", start, min(end, as_of))).with_columns(
        (pl.col("closed_date").is_not_null() & (pl.col("closed_date") <= pl.col("due_date"))).alias(
            "counts"
        )
    )
    return due.sort("due_date"), share(_met(due), due.height, "corrective actions due")


# --- customer stock-outs (kpis.md 5) -------------------------------------------------------------


# Optional columns of a stock-out frame: the dates a row counts within. A closed month's
# stock-outs come from its snapshot with that month as window and the live rows count only in
# the months still open (tower.performance.frozen), so one event may come as several rows.
WINDOW = ("window_start", "window_end")


def stock_out_days(stock_outs: pl.DataFrame, start: dt.date, end: dt.date, as_of: dt.date):
    """Stock-outs that lasted into the period, with the days of it they lasted (open: to as-of).

    With window columns, each row counts only within its window and the rows of one event are
    summed into one (`starts_in_period`: it started in the period within one of its windows);
    the event's attribution is that of the row in whose window it started.
    """
    windowed = all(c in stock_outs.columns for c in WINDOW)
    first_day, last_day = pl.lit(start), pl.lit(end)
    if windowed:
        first_day = pl.max_horizontal(pl.coalesce("window_start", first_day), first_day)
        last_day = pl.min_horizontal(pl.coalesce("window_end", last_day), last_day)
    last = pl.min_horizontal(pl.coalesce("end_date", pl.lit(as_of)), last_day)
    first = pl.max_horizontal("start_date", first_day)
    rows = stock_outs.filter(pl.col("start_date") <= pl.lit(min(end, as_of))).with_columns(
        ((last - first).dt.total_days() + 1).clip(lower_bound=0).alias("days_in_period"),
        pl.col("start_date").is_between(first_day, last_day).alias("starts_in_period"),
    )
    if windowed:
        rows = (
            rows.filter((pl.col("days_in_period") > 0) | pl.col("starts_in_period"))
            .sort("starts_in_period", descending=True, maintain_order=True)
            .group_by("event_id", maintain_order=True)
            .agg(
                pl.all().exclude("days_in_period", "starts_in_period", *WINDOW).first(),
                pl.col("days_in_period").sum(),
                pl.col("starts_in_period").any(),
            )
        )
    return (
        rows.filter(pl.col("days_in_period") > 0)
        .drop("starts_in_period")
        .sort("start_date", "product", "location")
    )


def stock_out_rows(stock_outs: pl.DataFrame, start: dt.date, end: dt.date, as_of: dt.date):
    """stock_out_days, marking the events that start in the period.

    The events' own attribution column says which the CMO caused; no second "counts" column
    repeats it (one that would read green for "caused", the bad outcome).
    """
    rows = stock_out_days(stock_outs, start, end, as_of)
    if all(c in stock_outs.columns for c in WINDOW):
        return _windowed_starts(stock_outs, rows, start, end)
    return rows.with_columns(_within("start_date", start, end).alias("starts_in_period"))


def _windowed_starts(stock_outs, rows, start, end):
    """starts_in_period of windowed rows: the start falls in the period and in a row's window."""
    starts = (
        stock_outs.filter(
            _within("start_date", start, end)
            & (pl.col("start_date") >= pl.coalesce("window_start", pl.lit(start)))
            & (pl.col("start_date") <= pl.coalesce("window_end", pl.lit(end)))
        )["event_id"]
        .unique()
        .to_list()
    )
    return rows.with_columns(pl.col("event_id").is_in(starts).alias("starts_in_period"))


def stock_out_measures(
    stock_outs: pl.DataFrame, start: dt.date, end: dt.date, as_of: dt.date, *, measured: bool
) -> tuple[pl.DataFrame, dict[str, Measure]]:
    """CMO-caused events starting in the period, their days in it, and their share of all events.

    `measured` says whether the period has measured order lines: without deliveries there is
    nothing a CMO could have caused, so every stock-out KPI is then "no data".
    """
    rows = stock_out_rows(stock_outs, start, end, as_of)
    if not measured:
        nothing = no_data("no order lines measured in the period")
        return rows, {"oos_events": nothing, "oos_days": nothing, "oos_share": nothing}
    starting = rows.filter(pl.col("starts_in_period"))
    caused = starting.filter(pl.col("cmo_caused")).height
    days = int(rows.filter(pl.col("cmo_caused"))["days_in_period"].sum() or 0)
    all_days = int(rows["days_in_period"].sum() or 0)
    # Undetermined stock-outs (a failed line's cause not yet approved) count as not caused,
    # and the basis says how many there are: the figure may still rise.
    undetermined = (
        starting.filter(pl.col("attribution") == "undetermined").height
        if "attribution" in rows.columns
        else 0
    )
    note = f", {undetermined:,} undetermined" if undetermined else ""
    share_of = share(caused, starting.height, "stock-outs")
    return rows, {
        "oos_events": Measure(
            caused, caused, starting.height, f"{caused:,} of {starting.height:,} stock-outs{note}"
        ),
        "oos_days": Measure(days, days, all_days, f"{days:,} of {all_days:,} stock-out days"),
        "oos_share": Measure(
            share_of.value, share_of.numerator, share_of.denominator, share_of.basis + note
        ),
    }


# --- delay notices (kpis.md 8) -------------------------------------------------------------------

NOTICE_KPIS = ("notices_in_advance", "notice_lead_time")
# A notice announces a delay when sent at least this many days before the line's due date.
NOTICE_MIN_DAYS = 1


def announced_lines(late: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """The late lines of the period with `lead_days` (due date - first notice date) and `counts`
    (announced: a notice sent at least NOTICE_MIN_DAYS before the due date).

    `late`: one row per measured line not on time, with `period` (the month of its due date),
    `due_date` and `first_notice_date` (the earliest delay notice covering it; null: none). The
    earliest notice decides, so a later notice that supersedes it does not undo the warning.
    """
    rows = late.filter(_within("period", start, end)).with_columns(
        (pl.col("due_date") - pl.col("first_notice_date")).dt.total_days().alias("lead_days")
    )
    return rows.with_columns(
        (pl.col("lead_days").fill_null(-1) >= NOTICE_MIN_DAYS).alias("counts")
    ).sort("due_date", "line_id")


def notice_measures(
    late: pl.DataFrame, start: dt.date, end: dt.date
) -> tuple[pl.DataFrame, dict[str, Measure]]:
    """Delays announced in advance (announced late lines / late lines) and the notice lead time
    (median of due date - notice date, in days, over the announced lines)."""
    rows = announced_lines(late, start, end)
    announced = rows.filter(pl.col("counts"))
    in_advance = share(announced.height, rows.height, "late lines announced in advance")
    if announced.is_empty():
        lead = no_data("no late line announced in advance")
    else:
        median = float(announced["lead_days"].median())
        lead = Measure(
            median,
            None,
            announced.height,
            f"median over {announced.height:,} announced line{'s' if announced.height != 1 else ''}",
        )
    return rows, {"notices_in_advance": in_advance, "notice_lead_time": lead}


# --- escalations acknowledged in time (kpis.md 9) -----------------------------------------------

ESCALATION_KPI = "escalations_acknowledged"
IN_TIME, LATE, NOT_ACKNOWLEDGED, RUNNING = (
    "in time",
    "acknowledged late",
    "not acknowledged",
    "clock running",
)


def acknowledged_escalations(
    escalations: pl.DataFrame, start: dt.date, end: dt.date, now: dt.datetime
) -> pl.DataFrame:
    """The escalations of the period with `outcome` and `counts` (acknowledged in time).

    `escalations`: one row per escalation with `deadline_date` (the local date, in the site's
    time zone, of its first level's deadline: what places it in a period), `opened_at`,
    `first_deadline` and `acknowledged_at` (UTC datetimes, the last null while unacknowledged)
    and optionally `judged_at` (UTC; the moment a closed month was closed, null for a live one).

    Each is judged as of `judged_at`, else `now`: acknowledged by its first level's deadline ->
    counts; acknowledged after it, or not acknowledged when it passed -> a miss; deadline still
    ahead and not acknowledged -> left out (null), its clock is running. An escalation opened
    after that moment, or an acknowledgement made after it, is not known then.
    """
    moment = pl.lit(now.astimezone(dt.UTC))
    if "judged_at" in escalations.columns:
        moment = pl.coalesce(pl.col("judged_at"), moment)
    rows = escalations.filter(
        _within("deadline_date", start, end) & (pl.col("opened_at") <= moment)
    )
    acknowledged = pl.col("acknowledged_at").is_not_null() & (pl.col("acknowledged_at") <= moment)
    in_time = acknowledged & (pl.col("acknowledged_at") <= pl.col("first_deadline"))
    passed = pl.col("first_deadline") <= moment
    return rows.with_columns(
        pl.when(in_time)
        .then(pl.lit(IN_TIME))
        .when(acknowledged)
        .then(pl.lit(LATE))
        .when(passed)
        .then(pl.lit(NOT_ACKNOWLEDGED))
        .otherwise(pl.lit(RUNNING))
        .alias("outcome"),
        pl.when(in_time)
        .then(True)
        .when(acknowledged | passed)
        .then(False)
        .otherwise(None)
        .alias("counts"),
    ).sort("first_deadline", "escalation_id")


def escalation_measure(
    escalations: pl.DataFrame, start: dt.date, end: dt.date, now: dt.datetime
) -> tuple[pl.DataFrame, Measure]:
    """Escalations acknowledged in time / escalations whose first deadline has passed."""
    rows = acknowledged_escalations(escalations, start, end, now)
    return rows, share(
        _met(rows),
        _measured(rows),
        "escalations due",
        left_out=rows["counts"].null_count(),
        why="still within their response time",
    )
