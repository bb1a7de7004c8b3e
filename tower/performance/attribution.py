"""Which customer stock-outs the CMO caused (kpis.md 5), kept as stored links to the lines.

A stock-out is CMO-caused when a line of the same client and product, due before the stock-out
started and no more than the agreement's look-back (default 60 days) before it, failed OTIF and
its approved root cause is CMO-attributable. Only approved causes count: a cause the client has
not agreed to does not make the CMO the culprit of its stock-out. When no such line exists but
a failed line in the look-back has no approved cause yet (unclassified, proposed or disputed),
the stock-out is *undetermined*: the client's decision on that cause will settle it. Otherwise
it is not caused by the CMO.

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
    undetermined: int = 0  # of which undetermined (a failed line's cause not yet approved)


State = StockOutEvent.Attribution


def lookback_days(client: Client) -> int:
    days = Agreement.objects.filter(client=client).values_list("oos_lookback_days", flat=True)
    return next(iter(days), DEFAULT_OOS_LOOKBACK_DAYS)


def causing_lines(client: Client) -> pl.DataFrame:
    """The client's lines that can cause a stock-out: failed, with an approved CMO cause."""
    return _failed_lines(
        LineOutcome.objects.filter(
            line__root_cause__status=RootCauseStatus.APPROVED,
            line__root_cause__code__area__cmo_attributable=True,
        ),
        client,
    )


def undecided_lines(client: Client) -> pl.DataFrame:
    """The client's failed lines whose cause is not approved yet (none, proposed, disputed)."""
    return _failed_lines(
        LineOutcome.objects.exclude(line__root_cause__status=RootCauseStatus.APPROVED), client
    )


def _failed_lines(outcomes, client: Client) -> pl.DataFrame:
    rows = (
        outcomes.filter(client=client, state="measured", otif=False, due_date__isnull=False)
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
    """Recompute the links and the attribution of a client's stock-outs (or of some)."""
    queryset = StockOutEvent.objects.filter(client=client)
    if events is not None:
        queryset = queryset.filter(pk__in=list(events))
    stored = list(queryset.values_list("pk", "product_id", "start_date", "attribution"))
    if not stored:
        return Attribution(0, 0, 0)
    frame = pl.DataFrame(
        [row[:3] for row in stored],
        schema={"event_id": pl.Int64, "product_id": pl.Int64, "start_date": pl.Date},
        orient="row",
    )
    lookback = lookback_days(client)
    links = links_for(frame, causing_lines(client), lookback)
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
    undecided = set(links_for(frame, undecided_lines(client), lookback)["event_id"].to_list())
    state = {
        pk: State.CAUSED
        if pk in caused
        else State.UNDETERMINED
        if pk in undecided
        else State.NOT_CAUSED
        for pk in event_ids
    }
    # The attribution is not audited (the links and the lines say why); update() keeps it out
    # of the history. cmo_caused follows it.
    for value in State:
        flips = [pk for pk, *_, was in stored if state[pk] == value and was != value]
        StockOutEvent.objects.filter(pk__in=flips).update(
            attribution=value, cmo_caused=value == State.CAUSED
        )
    undetermined = sum(1 for value in state.values() if value == State.UNDETERMINED)
    return Attribution(len(stored), len(caused), links.height, undetermined)
