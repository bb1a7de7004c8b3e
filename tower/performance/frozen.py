"""A closed month's records, frozen with the close: every KPI of the month reads them.

Closing a month (services.close_month) freezes its OTIF figures (ClosedMonthlyOtif) and, here,
the records its other KPIs read: batches, deviations, CAPAs, plan weeks, the monthly shipping
counts, stock-outs and the measured order lines with their root causes and line values
(ClosedRecords, one Parquet frame per kind). An app above this one adds a kind of its own with
`register` (communications: the notice KPIs' late lines, with the first notice of each). The
scorecard (scorecards.measures.read_records), its KPI evidence, the OTIF KPIs' record lists, the
penalty exposure and the dashboard's function KPIs (functions.area_measures) read records
through `merged`: for a client's closed month the snapshot's rows, for every other month the
live rows. So a batch, deviation, stock-out, delivery, line value or notice recorded after the
close does not move the month's figures; `stale_records` tells that newer data exists, and
reopening the month (explicit, audited) lets the live rows count again.

Each kind names the dates that place a row in a month (its "deciding" dates: a batch counts in
the month it started for material readiness, ended for the quality KPIs, was dispositioned for
release). A snapshot keeps only the dates inside its month, the live rows only the dates outside
closed months, so each date of each record counts once. Stock-outs last over months: a row
carries a window (the month of its snapshot, or one open month for a live row) and the engine
counts its days and start within the window (tower.engine.scorecard.WINDOW).

A close keeps the kinds there were when it was made: a close from before a kind existed (or
from before snapshots, with none) has no frame of it, so that kind of its month stays live
(`unfrozen` names them, and the scorecard says so) until the month is reopened and closed again.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl

from tower.engine.periods import add_months, month_range
from tower.engine.scorecard import WINDOW
from tower.performance import records
from tower.performance.models import ClosedRecords, MonthClose
from tower.stockouts import records as stock_out_records
from tower.tenancy.models import Client


def _month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


Reader = Callable[[Sequence[Client], dt.date, dt.date], pl.DataFrame]
# kind -> (reader(clients, start, end), the dates that place a row in a month; None: a span)
KINDS: dict[str, tuple[Reader, tuple[str, ...] | None]] = {
    "batches": (records.batches, ("actual_start", "actual_end", "actual_release_date")),
    "deviations": (records.deviations, ("opened_date",)),
    "capas": (records.capas, ("due_date",)),
    "plan": (records.plan, ("week",)),
    "monthly_shipping": (
        lambda clients, start, end: records.monthly_shipping(clients, start, end, by_place=True),
        ("period",),
    ),
    "stock_outs": (stock_out_records.stock_outs, None),
    "lines": (records.measured_lines, ("period",)),
}
# Each kind in words, for "closed before ... were kept with the close" (`unfrozen_notes`).
WORDS = {
    "batches": "batches",
    "deviations": "deviations",
    "capas": "CAPAs",
    "plan": "plan weeks",
    "monthly_shipping": "shipping counts",
    "stock_outs": "stock-outs",
    "lines": "order lines",
}
# Kinds that only some pages read (the OTIF record lists, the penalty exposure): not among the
# records every scorecard reads for its whole trend (`record_kinds`).
ON_DEMAND = frozenset({"lines"})


def register(kind: str, reader: Reader, dates: tuple[str, ...], words: str) -> None:
    """Freeze one more kind of record with every close from now on (an app above this one, from
    its AppConfig.ready): `reader` returns its rows with a `client_id` column, `dates` name the
    dates that place a row in a month, `words` the records for people."""
    KINDS[kind] = (reader, dates)
    WORDS[kind] = words


def record_kinds() -> list[str]:
    """The kinds every scorecard reads for its period and trend (scorecards.measures)."""
    return [k for k in KINDS if k not in ON_DEMAND]


def month_frame(kind: str, client: Client, month: dt.date) -> pl.DataFrame:
    """The rows of `kind` that count in the client's `month`, as a snapshot keeps them."""
    reader, _ = KINDS[kind]
    return _restrict(kind, reader([client], month, _month_end(month)), client.pk, month)


def _restrict(kind: str, frame: pl.DataFrame, client_id: int, month: dt.date) -> pl.DataFrame:
    """The rows of a wider frame (any clients, any span) that count in the client's month,
    their dates outside it dropped (a stock-out gets the month as its window)."""
    _, dates = KINDS[kind]
    first, last = pl.lit(month), pl.lit(_month_end(month))
    frame = frame.filter(pl.col("client_id") == client_id)
    if dates is None:
        return frame.filter(
            (pl.col("start_date") <= last)
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= first))
        ).with_columns(first.alias(WINDOW[0]), last.alias(WINDOW[1]))
    inside = {c: pl.col(c).is_between(first, last) for c in dates}
    return frame.with_columns(
        pl.when(inside[c]).then(pl.col(c)).otherwise(None).alias(c) for c in dates
    ).filter(pl.any_horizontal(pl.col(c).is_not_null() for c in dates))


def freeze(close: MonthClose) -> int:
    """Store the records of the closed month (called by services.close_month). Rows stored."""
    stored = []
    for kind in KINDS:
        frame = month_frame(kind, close.client, close.period)
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        stored.append(
            ClosedRecords(
                client_id=close.client_id,
                close=close,
                kind=kind,
                rows=frame.height,
                data=buffer.getvalue(),
            )
        )
    ClosedRecords.objects.bulk_create(stored)
    return sum(r.rows for r in stored)


@dataclass
class Frozen:
    """The closed months of some clients within a span, and their frozen frames per kind."""

    # kind -> client id -> the months whose close has a frame of that kind
    months: dict[str, dict[int, set[dt.date]]] = field(default_factory=dict)
    frames: dict[str, list[pl.DataFrame]] = field(default_factory=lambda: defaultdict(list))

    def __bool__(self) -> bool:
        return bool(self.months)


def frozen(
    clients: Sequence[Client], start: dt.date, end: dt.date, kinds: Iterable[str] = KINDS
) -> Frozen:
    """The standing closes of the clients' months in start..end and their snapshots (2 queries;
    none of the frames' bytes are read when no month is closed)."""
    kinds = list(kinds)
    closes = list(
        MonthClose.objects.filter(
            client__in=[c.pk for c in clients],
            period__gte=start.replace(day=1),
            period__lte=end,
            reopened_at__isnull=True,
        )
    )
    found = Frozen()
    if not closes:
        return found
    by_pk = {c.pk: c for c in closes}
    for close_id, kind, data in ClosedRecords.objects.filter(
        client__in={c.client_id for c in closes},
        close__in=list(by_pk),
        kind__in=kinds,
    ).values_list("close", "kind", "data"):
        # A close made before a kind was frozen has no frame of it: that kind stays live.
        close = by_pk[close_id]
        found.months.setdefault(kind, {}).setdefault(close.client_id, set()).add(close.period)
        found.frames[kind].append(pl.read_parquet(io.BytesIO(bytes(data))))
    return found


def _in_closed_month(column: str, months: dict[int, set[dt.date]]) -> pl.Expr:
    month = pl.col(column).dt.truncate("1mo")
    return pl.any_horizontal(
        (pl.col("client_id") == client_id) & month.is_in(sorted(closed))
        for client_id, closed in months.items()
    ).fill_null(False)


def merged(
    kind: str,
    live: pl.DataFrame,
    found: Frozen,
    start: dt.date,
    end: dt.date,
    *,
    snapshot_filter: Sequence[pl.Expr] = (),
) -> pl.DataFrame:
    """`live` rows of `kind` for start..end with each closed month's rows from its snapshot
    (filtered by `snapshot_filter`, for a live frame the query already narrowed)."""
    months = found.months.get(kind)
    if not months:
        return live
    _, dates = KINDS[kind]
    if dates is not None:
        live = live.with_columns(
            pl.when(_in_closed_month(c, months)).then(None).otherwise(pl.col(c)).alias(c)
            for c in dates
        ).filter(pl.any_horizontal(pl.col(c).is_not_null() for c in dates))
    else:
        live = _open_windows(live, months, start, end)
    snapshots = [f for f in found.frames.get(kind, []) if f.height]
    if dates is not None:
        snapshots = [
            f.filter(pl.any_horizontal(pl.col(c).is_between(start, end) for c in dates))
            for f in snapshots
        ]
    snapshots = [f.filter(*snapshot_filter) if snapshot_filter else f for f in snapshots]
    if not snapshots:
        return live
    return pl.concat([live, *snapshots], how="diagonal_relaxed")


def _open_windows(
    live: pl.DataFrame, months: dict[int, set[dt.date]], start: dt.date, end: dt.date
) -> pl.DataFrame:
    """Stock-outs of clients with closed months: one row per open month of the span (its
    window); other clients' rows keep no window (they count over the whole period)."""
    closed_clients = list(months)
    plain = live.filter(~pl.col("client_id").is_in(closed_clients)).with_columns(
        pl.lit(None, pl.Date).alias(WINDOW[0]), pl.lit(None, pl.Date).alias(WINDOW[1])
    )
    windows = pl.DataFrame(
        [
            (client_id, month, _month_end(month))
            for client_id, closed in months.items()
            for month in month_range(start.replace(day=1), end)
            if month not in closed
        ],
        schema={"client_id": pl.Int64, WINDOW[0]: pl.Date, WINDOW[1]: pl.Date},
        orient="row",
    )
    split = live.filter(pl.col("client_id").is_in(closed_clients)).join(
        windows, on="client_id", how="inner"
    )
    return pl.concat([plain, split], how="diagonal_relaxed")


# The kinds of order-line data (the OTIF figures are compared apart, per site and product).
LINE_KINDS = ("lines", "late_lines")


def stale_records(closes: Sequence[MonthClose], kinds: Iterable[str] | None = None) -> set[int]:
    """The ids of `closes` whose month's live records differ from their snapshot (newer data
    exists): one query per kind for all the closes, and one for their snapshots."""
    if not closes:
        return set()
    clients = {c.client_id: c.client_id for c in closes}
    snapshots = {
        (close_id, kind): pl.read_parquet(io.BytesIO(bytes(data)))
        for close_id, kind, data in ClosedRecords.objects.filter(
            client__in=list(clients), close__in=[c.pk for c in closes]
        ).values_list("close", "kind", "data")
    }
    if not snapshots:
        return set()  # closed before records were frozen: nothing to compare
    ids = [Client(pk=pk) for pk in clients]
    first = min(c.period for c in closes)
    last = _month_end(max(c.period for c in closes))
    stale = set()
    for kind in kinds if kinds is not None else KINDS:
        reader, _ = KINDS[kind]
        if kind == "lines":  # every measured line of the months: compared by a digest
            live = records.line_digest(ids, first, last)
        else:
            live = reader(ids, first, last)
        for close in closes:
            snapshot = snapshots.get((close.pk, kind))
            if snapshot is None or close.pk in stale:
                continue
            if kind == "lines":
                now = live.filter(
                    (pl.col("client_id") == close.client_id) & (pl.col("period") == close.period)
                ).drop("client_id", "period")
                if not _same(now, records.digest_of(snapshot)):
                    stale.add(close.pk)
                continue
            now = _restrict(kind, live, close.client_id, close.period)
            if not _same(_comparable(kind, now, close), _comparable(kind, snapshot, close)):
                stale.add(close.pk)
    return stale


def unfrozen(closes: Sequence[MonthClose]) -> dict[int, list[str]]:
    """The kinds each of `closes` (by id) has no frame of, because it was made before they were
    frozen: those records of its month are read live (one query; closes with every kind left
    out)."""
    have = defaultdict(set)
    for close_id, kind in ClosedRecords.objects.filter(
        client__in={c.client_id for c in closes}, close__in=[c.pk for c in closes]
    ).values_list("close", "kind"):
        have[close_id].add(kind)
    missing = {c.pk: [k for k in KINDS if k not in have[c.pk]] for c in closes}
    return {pk: kinds for pk, kinds in missing.items() if kinds}


def unfrozen_notes(closes: Sequence[MonthClose]) -> tuple[str, ...]:
    """For each of `closes` made before some kinds were frozen, a sentence saying which records
    of its month are read live (the scorecard page, its exports and the CLI print them)."""
    closes = list(closes)
    if not closes:
        return ()
    missing = unfrozen(closes)
    notes = []
    for close in sorted(closes, key=lambda c: c.period):
        if close.pk not in missing:
            continue
        words = [WORDS[k] for k in missing[close.pk]]
        named = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
        notes.append(
            f"{close.period:%b %Y} was closed before its {named} were kept with the close: "
            "they are read live (reopen and close it again to freeze them)"
        )
    return tuple(notes)


def _comparable(kind: str, frame: pl.DataFrame, close: MonthClose) -> pl.DataFrame:
    """A stock-out that ends after the month is the same for the month as one still open."""
    if kind != "stock_outs":
        return frame
    end = pl.lit(_month_end(close.period))
    return frame.with_columns(
        pl.min_horizontal(pl.coalesce("end_date", end), end).alias("end_date")
    )


def _same(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    if a.height != b.height or a.columns != b.columns:
        return False
    return a.sort(a.columns, nulls_last=True).equals(b.sort(b.columns, nulls_last=True))
