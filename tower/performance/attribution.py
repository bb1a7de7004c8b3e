"""Which customer stock-outs the CMO caused (kpis.md 5), kept as stored links to the lines.

A stock-out is CMO-caused when a line of the same client and product, due before the stock-out
started and no more than the agreement's look-back (default 60 days) before it, failed OTIF and
its approved root cause is CMO-attributable. Only approved causes count: a cause the client has
not agreed to does not make the CMO the culprit of its stock-out.

The links change when events, outcomes, root causes or the look-back change; every one of those
writes calls `attribute_stock_outs` explicitly: refresh_outcomes and the root-cause steps here,
the stock-out services and the look-back of the agreement in tower.scorecards.services, and the
stock-out import. The work
is set-based: the client's candidate lines and events are read once and joined in Polars.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from tower.agreements.models import DEFAULT_OOS_LOOKBACK_DAYS, Agreement
from tower.bulk import insert_frame
from tower.performance.models import LineOutcome, RootCauseStatus
from tower.stockouts.models import StockOutEvent, StockOutLink
from tower.tenancy.models import Client


@dataclass(frozen=True)
class Attribution:
    events: int  # events looked at
    caused: int  # of which CMO-caused
    links: int  # line links stored for them


def lookback_days(client: Client) -> int:
    days = Agreement.objects.filter(client=client).values_list("oos_lookback_days", flat=True)
    return next(iter(days), DEFAULT_OOS_LOOKBACK_DAYS)


def causing_lines(client: Client) -> pl.DataFrame:
    """The client's lines that can cause a stock-out: failed, with an approved CMO cause."""
    rows = (
        LineOutcome.objects.filter(
            client=client,
            state="measured",
            otif=False,
            due_date__isnull=False,
            line__root_cause__status=RootCauseStatus.APPROVED,
            line__root_cause__code__area__cmo_attributable=True,
        )
        .values_list("line_id", "line__product_id", "due_date")
        .order_by()
    )
    return pl.DataFrame(
        list(rows),
        schema={"line_id": pl.Int64, "product_id": pl.Int64, "due_date": pl.Date},
        orient="row",
    )


def links_for(events: pl.DataFrame, lines: pl.DataFrame, lookback: int) -> pl.DataFrame:
    """(event_id, line_id) for each line due in [start - lookback, start) of an event's product.

    `events`: event_id, product_id, start_date; `lines`: line_id, product_id, due_date.
    """
    return (
        events.join(lines, on="product_id")
        .filter(
            (pl.col("due_date") < pl.col("start_date"))
            & (pl.col("due_date") >= pl.col("start_date") - pl.duration(days=lookback))
        )
        .select("event_id", "line_id")
        .sort("event_id", "line_id")
    )


def attribute_stock_outs(*, client: Client, events: Iterable[int] | None = None) -> Attribution:
    """Recompute the links and the CMO-caused flag of a client's stock-outs (or of some)."""
    queryset = StockOutEvent.objects.filter(client=client)
    if events is not None:
        queryset = queryset.filter(pk__in=list(events))
    stored = list(queryset.values_list("pk", "product_id", "start_date", "cmo_caused"))
    if not stored:
        return Attribution(0, 0, 0)
    frame = pl.DataFrame(
        [row[:3] for row in stored],
        schema={"event_id": pl.Int64, "product_id": pl.Int64, "start_date": pl.Date},
        orient="row",
    )
    links = links_for(frame, causing_lines(client), lookback_days(client))
    event_ids = [row[0] for row in stored]
    current = set(
        StockOutLink.objects.filter(event_id__in=event_ids).values_list("event_id", "line_id")
    )
    wanted = set(links.iter_rows())
    if current != wanted:
        StockOutLink.objects.filter(event_id__in=event_ids).delete()
        insert_frame(
            StockOutLink._meta.db_table,
            links.with_columns(pl.lit(client.pk, pl.Int64).alias("client_id")),
        )
    caused = set(links["event_id"].to_list())
    flips = [pk for pk, *_, flag in stored if (pk in caused) != flag]
    # cmo_caused is not audited (the links say why); update() keeps it out of the history.
    StockOutEvent.objects.filter(pk__in=[pk for pk in flips if pk in caused]).update(
        cmo_caused=True
    )
    StockOutEvent.objects.filter(pk__in=[pk for pk in flips if pk not in caused]).update(
        cmo_caused=False
    )
    return Attribution(len(stored), len(caused), links.height)
