"""Every scorecard KPI of one period as a Measure, and the records behind it.

The scorecard (with its trend), the KPI detail pages and the exports all come through here, and
the frame KPIs through tower.performance.functions (which the dashboard's functional-area KPIs
use too), so a KPI is computed one way only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import polars as pl
from django.utils import timezone

from tower.engine import scorecard as kpis
from tower.engine.scorecard import Measure, no_data, share
from tower.escalations import records as escalation_records
from tower.escalations.models import Escalation
from tower.performance import frozen
from tower.performance.dashboard import Totals
from tower.performance.functions import FRAME_KPIS, Records
from tower.performance.models import MonthClose, RootCauseStatus
from tower.scorecards.models import SurveyResponse
from tower.tenancy.models import Client


def read_records(clients: Sequence[Client], start: dt.date, end: dt.date) -> Records:
    """Every record frame of the scorecard for some clients and a span of dates; a closed
    month's rows come from its snapshot (tower.performance.frozen), the notice KPIs' late lines
    too (frozen with the close, registered by tower.communications)."""
    kinds = frozen.record_kinds()
    found = frozen.frozen(clients, start, end, kinds)
    frames = {
        kind: frozen.merged(kind, frozen.KINDS[kind][0](clients, start, end), found, start, end)
        for kind in kinds
    }
    return Records(
        **frames,
        escalations=closed_escalations(escalation_records.escalations(clients, start, end)),
    )


def closed_escalations(rows: pl.DataFrame) -> pl.DataFrame:
    """Escalations as the scorecard judges them: one whose deadline falls in a closed month of
    its client as it stood at the close (its audited version then: an escalation recorded
    later is left out, an acknowledgement recorded later is not known), with `judged_at` the
    moment of the close. So a closed month's figure stays as it was closed, as the survey's
    does (survey_responses), without a snapshot of its own."""
    if rows.is_empty():
        return rows
    closes = {
        (client_id, month): closed_at
        for client_id, month, closed_at in MonthClose.objects.filter(
            client__in=rows["client_id"].unique().to_list(),
            period__gte=rows["deadline_date"].min().replace(day=1),
            period__lte=rows["deadline_date"].max(),
            reopened_at__isnull=True,
        ).values_list("client_id", "period", "closed_at")
    }
    if not closes:
        return rows
    frozen_rows = [
        (row, closes[(row["client_id"], row["deadline_date"].replace(day=1))])
        for row in rows.iter_rows(named=True)
        if (row["client_id"], row["deadline_date"].replace(day=1)) in closes
    ]
    if not frozen_rows:
        return rows
    versions: dict[int, list] = {}
    for pk, at, acknowledged, by in (
        Escalation.history.filter(
            client_id__in={row["client_id"] for row, _ in frozen_rows},
            id__in=[row["escalation_id"] for row, _ in frozen_rows],
            history_date__lte=max(closes.values()),
        )
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "acknowledged_at", "acknowledged_by_name")
    ):
        versions.setdefault(pk, []).append((at, acknowledged, by))
    kept = []
    for row, closed_at in frozen_rows:
        then = [v for v in versions.get(row["escalation_id"], []) if v[0] <= closed_at]
        if not then:
            continue  # recorded after the close
        _, acknowledged, by = then[-1]
        zone = ZoneInfo(row["time_zone"])
        local = acknowledged.astimezone(zone).replace(tzinfo=None) if acknowledged else None
        kept.append(
            row
            | {
                "acknowledged_at": acknowledged,
                "acknowledged_local": local,
                "acknowledged_by": by if acknowledged else "",
                "judged_at": closed_at,
            }
        )
    live = rows.filter(
        ~pl.col("escalation_id").is_in([row["escalation_id"] for row, _ in frozen_rows])
    )
    return pl.concat(
        [live, pl.DataFrame(kept, schema=rows.schema, orient="row")], how="vertical"
    ).sort("first_deadline", "escalation_id")


def judging_moment(as_of: dt.date) -> dt.datetime:
    """The moment figures "as of" a date are judged at: now for today (or later), else the end
    of that day."""
    if as_of >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))


BOTH = ("site", "product")
# What each KPI's records name, so it can be computed for one site and/or product: the order
# lines (OTIF), deliveries, batches and plan weeks name both; deviations and escalations a site
# only; stock-outs and the notices' late lines a product only; CAPAs and the survey neither (the
# client's figure whatever the site or product).
PLACES: dict[str, tuple[str, ...]] = {
    "otif_net": BOTH,
    "otif_gross": BOTH,
    "on_time": BOTH,
    "ship_on_time": BOTH,
    "notices_in_advance": ("product",),
    "notice_lead_time": ("product",),
    "oos_events": ("product",),
    "oos_days": ("product",),
    "oos_share": ("product",),
    kpis.ESCALATION_KPI: ("site",),
    "schedule_adherence": BOTH,
    "material_readiness": BOTH,
    "qc_release_on_time": BOTH,
    "incident_rate": ("site",),
    "right_first_time": BOTH,
    "lot_acceptance": BOTH,
    "yield": BOTH,
    "capa_on_time": (),
    "satisfaction": (),
}


def narrowed(records: Records, *, site: str | None, product: str | None) -> Records:
    """`records` of one site and/or product: each frame keeps its rows of them where it has the
    column (a frame without it, e.g. CAPAs, is kept whole: PLACES says which KPIs that leaves
    as the client's figure)."""
    wanted = {column: value for column, value in (("site", site), ("product", product)) if value}
    if not wanted:
        return records

    def narrow(frame: pl.DataFrame) -> pl.DataFrame:
        keep = [pl.col(c) == v for c, v in wanted.items() if c in frame.columns]
        return frame.filter(*keep) if keep else frame

    return Records(
        **{f.name: narrow(getattr(records, f.name)) for f in dataclasses.fields(Records)}
    )


def read_kind(kind: str, clients: Sequence[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    """One kind of record (tower.performance.frozen.KINDS) for start..end: a closed month's rows
    from its snapshot, the open months' live."""
    found = frozen.frozen(clients, start, end, (kind,))
    return frozen.merged(kind, frozen.KINDS[kind][0](clients, start, end), found, start, end)


def measured_lines(client: Client, start: dt.date, end: dt.date) -> pl.DataFrame:
    """The client's measured lines of start..end, as at the close for a closed month, with
    `met_net`: the line meets net OTIF (OTIF, or excused by an approved cause outside the CMO)."""
    return (
        read_kind("lines", [client], start, end)
        .with_columns(net_met().alias("met_net"))
        .sort("due_date", "order", "line")
    )


def net_met() -> pl.Expr:
    """A measured line meets net OTIF: OTIF, or excused by an approved cause outside the CMO."""
    excused = (pl.col("root_cause_status") == RootCauseStatus.APPROVED) & ~pl.col(
        "cmo_attributable"
    )
    return pl.col("otif") | excused.fill_null(False)


OTIF_KPIS = {"otif_net": "net_otif", "otif_gross": "otif", "on_time": "on_time"}
STOCK_OUT_KPIS = ("oos_events", "oos_days", "oos_share")


def otif_measures(totals: Totals) -> dict[str, Measure]:
    """Net and gross OTIF and on-time delivery from summed monthly figures (line grain)."""
    return {
        code: share(totals.counts[column], totals.lines, "lines")
        for code, column in OTIF_KPIS.items()
    }


def survey_measure(responses: Iterable[SurveyResponse]) -> Measure:
    ratings = [r for response in responses for r in response.ratings()]
    count = len(ratings) // len(SurveyResponse.QUESTIONS)
    if not ratings:
        return no_data("no survey response")
    return Measure(
        sum(ratings) / len(ratings),
        None,
        count,
        f"mean of {len(ratings):,} ratings in {count:,} response{'s' if count != 1 else ''}",
    )


def period_measures(
    records: Records,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    totals: Totals,
    responses: Iterable[SurveyResponse],
) -> dict[str, Measure]:
    """Every KPI of the catalogue for the period start..end."""
    measures = otif_measures(totals)
    for code, compute in FRAME_KPIS.items():
        measures[code] = compute(records, start, end, as_of)[1]
    _, stock_out = kpis.stock_out_measures(
        records.stock_outs, start, end, as_of, measured=totals.lines > 0
    )
    measures.update(stock_out)
    measures.update(kpis.notice_measures(records.late_lines, start, end)[1])
    measures[kpis.ESCALATION_KPI] = kpis.escalation_measure(
        records.escalations, start, end, judging_moment(as_of)
    )[1]
    measures["satisfaction"] = survey_measure(responses)
    return measures
