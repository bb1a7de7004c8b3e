"""Synthetic order lines and deliveries in the OTIF engine's input schema (tower/engine/__init__.py).

Reused by the benchmarks: `from bench.generate import generate_frames`.

The data is shaped like a CMO's order book over two years of due dates, with the awkward cases
the definition has to handle: missing committed dates (the due-date fallback), cancelled,
zero-quantity and hand-excluded lines, lines with no delivery, deliveries split over several
dates (some on the same date), early, on-time and late dates, short and over quantities, and
deliveries still in transit. Quantities are whole numbers held in Float64, so sums are exact in
any order and independent implementations compare bit for bit.

Fully vectorised (numpy, then Polars): a million lines take one to two seconds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pyarrow as pa

# Requested dates fall in these two years; an as-of date inside the range leaves the last
# months pending (nothing or only part delivered, not yet due).
FIRST_DUE = dt.date(2025, 1, 1)
LAST_DUE = dt.date(2026, 12, 31)
# Lines are "closed" when fully delivered by this date (status is informational except
# "cancelled"; the engine must not rely on it).
SNAPSHOT_DATE = dt.date(2026, 10, 31)

_EPOCH = dt.date(1970, 1, 1)
_EXCLUSION_REASONS = np.array(
    [
        "client put the order on hold",
        "duplicate line in the ERP export",
        "sample shipment, not contractual",
        "order replaced by a new line",
    ]
)
_ORDERED_STEPS = np.array([1, 5, 10, 20, 50, 100])


def generate_frames(n_lines: int, seed: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (lines, deliveries) for `n_lines` order lines, reproducible from `seed`.

    Rows of both frames are shuffled: nothing may rely on input order.
    """
    if n_lines < 1:
        raise ValueError(f"n_lines must be at least 1; got {n_lines}")
    rng = np.random.default_rng(seed)
    n = n_lines

    # Orders of 1-6 lines; lines of one order mostly share the requested date.
    sizes = rng.choice(np.arange(1, 7), size=n, p=[0.35, 0.25, 0.15, 0.1, 0.1, 0.05])
    order_of_line = np.repeat(np.arange(n), sizes)[:n]
    n_orders = int(order_of_line[-1]) + 1
    order_key = 10_000_000 + order_of_line.astype(np.int64) * 7

    first_due = _days(FIRST_DUE)
    span = _days(LAST_DUE) - first_due + 1
    order_requested = first_due + rng.integers(0, span - 14, size=n_orders)
    requested = order_requested[order_of_line] + np.where(
        rng.random(n) < 0.2, rng.integers(1, 15, size=n), 0
    )
    # The CMO commits to a date (often the requested one), then may move it.
    first_committed = requested + np.where(rng.random(n) < 0.6, 0, rng.integers(-5, 21, size=n))
    committed = first_committed + np.where(rng.random(n) < 0.8, 0, rng.integers(1, 31, size=n))
    committed_null = rng.random(n) < 0.03
    first_committed_null = rng.random(n) < 0.03
    # The date the plant actually worked to: the fallback chain committed -> first -> requested.
    target = np.where(
        ~committed_null, committed, np.where(~first_committed_null, first_committed, requested)
    )

    ordered = (rng.integers(1, 201, size=n) * rng.choice(_ORDERED_STEPS, size=n)).astype(np.float64)
    ordered[rng.random(n) < 0.003] = 0.0
    unit_price = np.round(rng.uniform(0.5, 80.0, size=n), 2)
    line_value = np.round(ordered * unit_price, 2)
    line_value_null = rng.random(n) < 0.02
    cancelled = rng.random(n) < 0.02
    manual = rng.random(n) < 0.001
    reasons = _EXCLUSION_REASONS[rng.integers(0, len(_EXCLUSION_REASONS), size=n)]

    # How much arrives in total, relative to ordered (0.98 and 1.05 sit on the benchmark
    # definition's tolerance bounds, on purpose).
    factor = np.where(
        rng.random(n) < 0.78,
        1.0,
        rng.choice(
            [0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 1.01, 1.03, 1.05, 1.06, 1.1, 1.25], size=n
        ),
    )
    delivered_total = np.round(ordered * factor)

    # Deliveries per line: 8 % none, most one, some split over 2-4 (about 1.3 on average).
    n_deliv = rng.choice(np.arange(0, 5), size=n, p=[0.08, 0.66, 0.16, 0.06, 0.04])
    n_deliv = np.where(delivered_total > 0, np.minimum(n_deliv, delivered_total), 0).astype(
        np.int64
    )
    m = int(n_deliv.sum())
    d_line = np.repeat(np.arange(n), n_deliv)
    starts = np.cumsum(n_deliv) - n_deliv
    pos = np.arange(m) - np.repeat(starts, n_deliv)  # 0-based index of a delivery in its line
    is_last = pos == np.repeat(n_deliv, n_deliv) - 1

    # Split the line's total into whole parts, at least 1 each; the last part takes the rest.
    weight = rng.uniform(0.2, 1.0, size=m)
    weight_sum = np.bincount(d_line, weights=weight, minlength=n)
    spare = (delivered_total - n_deliv)[d_line]  # what is left after 1 per part
    part = 1.0 + np.floor(spare * weight / weight_sum[d_line])
    part_sum = np.bincount(d_line, weights=part, minlength=n)
    part = np.where(is_last, part + (delivered_total - part_sum)[d_line], part)

    # First delivery: mostly around the due date, some early, many late (-10..+30 days);
    # later parts follow after 0-20 days (0: several deliveries on one date).
    kind = rng.random(m)
    first_offset = np.where(
        kind < 0.70,
        rng.integers(-3, 2, size=m),
        np.where(kind < 0.78, rng.integers(-10, -3, size=m), rng.integers(2, 31, size=m)),
    )
    gap = np.where(rng.random(m) < 0.15, 0, rng.integers(1, 21, size=m))
    gap[pos == 0] = 0
    gap_cum = np.cumsum(gap)
    gap_cum -= np.repeat(gap_cum[starts[n_deliv > 0]], n_deliv[n_deliv > 0])
    first_offset_of_line = first_offset[np.repeat(starts, n_deliv)]
    delivered = target[d_line] + first_offset_of_line + gap_cum
    shipped = delivered - rng.integers(1, 8, size=m)
    in_transit = rng.random(m) < 0.01

    # Status: closed once fully delivered by the snapshot date, else open; some cancelled.
    snapshot = _days(SNAPSHOT_DATE)
    arrived = np.where(~in_transit & (delivered <= snapshot), part, 0.0)
    arrived_total = np.bincount(d_line, weights=arrived, minlength=n)
    status = np.where(
        cancelled,
        "cancelled",
        np.where((n_deliv > 0) & (arrived_total >= ordered), "closed", "open"),
    )

    line_perm = rng.permutation(n)
    lines = pl.DataFrame(
        {
            "line_id": pl.Series(np.arange(n, dtype=np.int64)[line_perm]),
            "order_key": pl.Series(order_key[line_perm]),
            "requested_date": _date_series(requested[line_perm]),
            "first_committed_date": _date_series(
                first_committed[line_perm], first_committed_null[line_perm]
            ),
            "committed_date": _date_series(committed[line_perm], committed_null[line_perm]),
            "ordered_qty": pl.Series(ordered[line_perm]),
            "line_value": pl.from_arrow(
                pa.array(line_value[line_perm], mask=line_value_null[line_perm])
            ),
            "status": pl.Series(status[line_perm].astype(object), dtype=pl.String),
            "manual_exclusion": pl.from_arrow(
                pa.array(
                    reasons[line_perm].astype(object), type=pa.string(), mask=~manual[line_perm]
                )
            ),
        }
    )
    deliv_perm = rng.permutation(m)
    deliveries = pl.DataFrame(
        {
            "line_id": pl.Series(d_line.astype(np.int64)[deliv_perm]),
            "shipped_date": _date_series(shipped[deliv_perm]),
            "delivered_date": _date_series(delivered[deliv_perm], in_transit[deliv_perm]),
            "quantity": pl.Series(part[deliv_perm]),
        }
    )
    return lines, deliveries


def _days(day: dt.date) -> int:
    return (day - _EPOCH).days


def _date_series(days: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    return pl.from_arrow(pa.array(days.astype(np.int32), type=pa.date32(), mask=null))


if __name__ == "__main__":
    import sys
    import time

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    started = time.perf_counter()
    frames = generate_frames(size)
    print(f"generated {size:,} lines in {time.perf_counter() - started:.2f} s")
    for frame in frames:
        print(frame.head(5))
        print(frame.null_count())
