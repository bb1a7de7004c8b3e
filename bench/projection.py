"""Projection engine benchmark (kpis.md 8): tower.engine.projection.project against a DuckDB SQL
version of the same rules, same data, same run.

    .venv/bin/python -m bench.projection --open 100000 --repeat 3

Synthetic data (numpy, seeded): `--open` open lines (80 % with a planned batch, some partly
shipped or in transit, some without any plan), as many delivered lines as history for the
lanes' transit medians, one batch per four planned lines with realistic slips and dispositions
(a few rejected, some on hold), and stock for a third of the product x ship-to pairs.

The SQL is written from kpis.md 8 and the choices in tower/engine/projection.py's docstring,
not from the engine's code. Both results are compared line by line (risk, projected date, days
late, cause, stock-out); the run fails when they differ. Input registration with DuckDB is
outside the timings. Last line:

    engine_s=X.XXX duckdb_s=X.XXX ratio_engine_vs_duckdb=X.XX
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time

import duckdb
import numpy as np
import polars as pl

from tower.engine.definition import OtifDefinition
from tower.engine.projection import ProjectionSettings, project
from tower.engine.schemas import (
    BATCH_SCHEMA,
    DELIVERY_SCHEMA,
    LINE_SCHEMA,
    PROJECTION_LINE_SCHEMA,
    STOCK_SCHEMA,
)

AS_OF = dt.date(2026, 10, 31)
DEFINITION = OtifDefinition(late_days=1, under_pct=2.0)
SETTINGS = ProjectionSettings()
EPOCH = dt.date(1970, 1, 1)
T = (AS_OF - EPOCH).days


def _dates(days: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    s = pl.Series(days.astype(np.int32)).cast(pl.Date)
    if null is not None:
        s = pl.when(pl.Series(null)).then(None).otherwise(s)
        s = pl.select(s).to_series()
    return s


def generate(n_open: int, seed: int = 1) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    n_hist = n_open
    n = n_open + n_hist
    ids = np.arange(1, n + 1, dtype=np.int64)
    is_open = ids <= n_open
    sites = np.array(["S1", "S2", "S3"])[rng.integers(0, 3, n)]
    ship_to = np.array([f"C{i:02d}" for i in range(20)])[rng.integers(0, 20, n)]
    modes = np.array(["road", "air", "sea"])[rng.integers(0, 3, n)]
    products = np.array([f"P{i:03d}" for i in range(200)])[rng.integers(0, 200, n)]
    due = np.where(is_open, T + rng.integers(-10, 60, n), T - rng.integers(1, 360, n))
    ordered = rng.choice([10.0, 50.0, 100.0, 200.0], n)
    n_batches = max(1, n_open // 4)
    has_batch = is_open & (rng.random(n) < 0.8)
    batch_of = np.where(has_batch, rng.integers(0, n_batches, n), -1)
    batch_names = np.array([f"B{i:07d}" for i in range(n_batches)])
    planned_ship = due - rng.integers(3, 12, n)
    no_ship_plan = rng.random(n) < np.where(has_batch, 0.3, 0.15)
    lines = pl.DataFrame(
        {
            "line_id": ids,
            "order_key": ids // 3,
            "requested_date": _dates(due),
            "first_committed_date": _dates(due),
            "committed_date": _dates(due, rng.random(n) < 0.03),
            "ordered_qty": ordered,
            "line_value": ordered * 10,
            "status": np.where(rng.random(n) < 0.01, "cancelled", "open"),
            "manual_exclusion": pl.Series([None] * n, dtype=pl.String),
            "product": products,
            "site": sites,
            "ship_to": ship_to,
            "transport_mode": modes,
            "planned_ship_date": _dates(planned_ship, no_ship_plan),
            "planned_batch": pl.Series(
                np.where(batch_of >= 0, batch_names[np.maximum(batch_of, 0)], "")
            ).replace("", None),
        },
        schema={**LINE_SCHEMA, **PROJECTION_LINE_SCHEMA},
    )
    # History: delivered lines with 2-9 days of transit; open lines: some partly shipped, some
    # shipped in full and in transit.
    hist = ~is_open
    transit = rng.integers(2, 10, n)
    shipped = due - rng.integers(0, 8, n)
    partial = is_open & (rng.random(n) < 0.1)
    in_transit = is_open & ~partial & (rng.random(n) < 0.05)
    keep = hist | partial | in_transit
    shipped_k = np.where(in_transit | partial, T - rng.integers(0, 6, n), shipped)[keep]
    deliveries = pl.DataFrame(
        {
            "line_id": ids[keep],
            "shipped_date": _dates(shipped_k),
            "delivered_date": _dates((shipped + transit)[keep], ~hist[keep]),
            "quantity": np.where(partial, ordered / 2, ordered)[keep],
        },
        schema=DELIVERY_SCHEMA,
    )
    start = T - 40 + rng.integers(0, 60, n_batches)
    started = start <= T
    end = start + rng.integers(3, 8, n_batches)
    release = end + rng.integers(5, 10, n_batches)
    slip = rng.choice([0, 0, 0, 1, 2, 5, 10], n_batches)
    actual_end = end + slip
    actual_release = release + slip + rng.integers(-1, 4, n_batches)
    disposition = np.where(
        actual_release <= T,
        rng.choice(
            ["released", "released", "released", "on_hold", "rejected"],
            n_batches,
            p=[0.3, 0.3, 0.3, 0.07, 0.03],
        ),
        "",
    )
    batches = pl.DataFrame(
        {
            "batch": batch_names,
            "product": "P000",
            "site": "S1",
            "planned_start": _dates(start, rng.random(n_batches) < 0.05),
            "actual_start": _dates(start + slip // 2, ~started),
            "planned_end": _dates(end, rng.random(n_batches) < 0.2),
            "actual_end": _dates(actual_end, actual_end > T),
            "material_ready_date": _dates(start - 1 + slip // 3, rng.random(n_batches) < 0.3),
            "planned_release_date": _dates(release, rng.random(n_batches) < 0.2),
            "actual_release_date": _dates(actual_release, disposition == ""),
            "theoretical_output": np.full(n_batches, 1000.0),
            "actual_output": np.full(n_batches, 990.0),
            "disposition": pl.Series(disposition).replace("", None),
        },
        schema=BATCH_SCHEMA,
    )
    pairs = lines.filter(pl.col("line_id") <= n_open).select("product", "ship_to").unique()
    pairs = pairs.sample(fraction=1 / 3, seed=seed).sort("product", "ship_to")
    m = pairs.height
    stock = pl.DataFrame(
        {
            "product": pairs["product"],
            "location": pairs["ship_to"],
            "date": _dates(T - rng.integers(0, 5, m)),
            "on_hand": rng.integers(0, 500, m).astype(float),
            "daily_demand": rng.choice([5.0, 10.0, 20.0], m),
        },
        schema=STOCK_SCHEMA,
    )
    return {"lines": lines, "deliveries": deliveries, "batches": batches, "stock": stock}


def duckdb_sql() -> str:
    d, s = DEFINITION, SETTINGS
    t = f"DATE '{AS_OF.isoformat()}'"
    return f"""
WITH
dl AS (  -- deliveries counted for OTIF (delivery-measured), per line and day
  SELECT line_id, delivered_date AS day, SUM(quantity) AS q FROM deliveries
  WHERE delivered_date IS NOT NULL AND delivered_date <= {t} GROUP BY ALL),
dl_run AS (SELECT *, SUM(q) OVER (PARTITION BY line_id ORDER BY day) AS run FROM dl),
sh AS (
  SELECT line_id, COALESCE(shipped_date, delivered_date) AS day, SUM(quantity) AS q
  FROM deliveries WHERE COALESCE(shipped_date, delivered_date) <= {t} GROUP BY ALL),
sh_run AS (SELECT *, SUM(q) OVER (PARTITION BY line_id ORDER BY day) AS run FROM sh),
base AS (
  SELECT l.*, COALESCE(l.committed_date, l.first_committed_date, l.requested_date) AS due,
         ROUND(l.ordered_qty * (1 - {d.under_pct} / 100), 6) AS lower
  FROM lines l),
lane AS (
  SELECT l.site, l.ship_to, l.transport_mode, COUNT(*) AS n,
         CAST(GREATEST(0, CEIL(MEDIAN(date_diff('day', x.shipped_date, x.delivered_date)))) AS INTEGER) AS med
  FROM deliveries x JOIN lines l USING (line_id)
  WHERE x.shipped_date IS NOT NULL AND x.delivered_date > {t} - INTERVAL {365} DAY
    AND x.delivered_date <= {t}
  GROUP BY ALL),
open_lines AS (
  SELECT b.*,
    (SELECT MIN(day) FROM dl_run r WHERE r.line_id = b.line_id AND ROUND(r.run, 6) >= b.lower) AS completion,
    (SELECT COALESCE(SUM(q), 0) FROM dl WHERE dl.line_id = b.line_id) AS delivered,
    (SELECT MIN(day) FROM sh_run r WHERE r.line_id = b.line_id AND ROUND(r.run, 6) >= b.lower) AS shipped_on
  FROM base b
  WHERE b.manual_exclusion IS NULL AND b.status IS DISTINCT FROM 'cancelled'
    AND b.status IS DISTINCT FROM 'closed' AND b.ordered_qty <> 0 AND b.due IS NOT NULL),
o AS (SELECT * FROM open_lines WHERE completion IS NULL),
j AS (
  SELECT o.line_id, o.due, GREATEST(0, o.ordered_qty - o.delivered) AS remaining, o.product, o.ship_to,
    o.planned_ship_date, o.shipped_on, bt.batch IS NOT NULL AS hb,
    lower(bt.disposition) AS disp, bt.planned_start, bt.planned_end, bt.planned_release_date,
    CASE WHEN bt.material_ready_date <= {t} THEN bt.material_ready_date END AS a_mr,
    CASE WHEN bt.actual_start <= {t} THEN bt.actual_start END AS a_ps,
    CASE WHEN bt.actual_end <= {t} THEN bt.actual_end END AS a_pe,
    CASE WHEN lower(bt.disposition) = 'released' AND bt.actual_release_date <= {t}
         THEN bt.actual_release_date END AS a_qc,
    CASE WHEN COALESCE(lane.n, 0) >= 5 THEN lane.med ELSE {s.transit_days} END AS transit
  FROM o LEFT JOIN batches bt ON bt.batch = o.planned_batch
  LEFT JOIN lane ON lane.site IS NOT DISTINCT FROM o.site
    AND lane.ship_to IS NOT DISTINCT FROM o.ship_to
    AND lane.transport_mode IS NOT DISTINCT FROM o.transport_mode),
pl AS (  -- planned dates, each from the previous plan plus the step's lead when missing
  SELECT *,
    planned_start AS p_mr, planned_start AS p_ps,
    COALESCE(planned_end, planned_start + {s.production_days}) AS p_pe,
    COALESCE(planned_release_date, COALESCE(planned_end, planned_start + {s.production_days}) + {s.release_days}) AS p_qc,
    COALESCE(planned_ship_date, COALESCE(planned_release_date, COALESCE(planned_end, planned_start + {s.production_days}) + {s.release_days}) + {s.ship_days}) AS p_sh
  FROM j),
dn AS (  -- done: the nearest later actual stands in for a missing one
  SELECT *, p_sh + transit AS p_ar,
    COALESCE(a_mr, a_ps, a_pe, a_qc, shipped_on) AS d_mr, COALESCE(a_ps, a_pe, a_qc, shipped_on) AS d_ps,
    COALESCE(a_pe, a_qc, shipped_on) AS d_pe, COALESCE(a_qc, shipped_on) AS d_qc
  FROM pl),
c1 AS (SELECT *, CASE WHEN NOT hb THEN NULL WHEN d_mr IS NOT NULL THEN d_mr ELSE GREATEST({t}, COALESCE(p_mr, {t})) END AS q_mr FROM dn),
c2 AS (SELECT *, CASE WHEN hb AND p_mr IS NOT NULL THEN GREATEST(0, date_diff('day', p_mr, q_mr)) ELSE 0 END::INTEGER AS s_mr FROM c1),
c3 AS (SELECT *, CASE WHEN NOT hb THEN NULL WHEN d_ps IS NOT NULL THEN d_ps
                      WHEN p_ps IS NOT NULL THEN GREATEST({t}, p_ps + s_mr) ELSE GREATEST({t}, q_mr) END AS q_ps FROM c2),
c4 AS (SELECT *, CASE WHEN hb AND p_ps IS NOT NULL THEN GREATEST(0, date_diff('day', p_ps, q_ps)) ELSE 0 END::INTEGER AS s_ps FROM c3),
c5 AS (SELECT *, CASE WHEN NOT hb THEN NULL WHEN d_pe IS NOT NULL THEN d_pe
                      WHEN p_pe IS NOT NULL THEN GREATEST({t}, p_pe + s_ps) ELSE GREATEST({t}, q_ps + {s.production_days}) END AS q_pe FROM c4),
c6 AS (SELECT *, CASE WHEN hb AND p_pe IS NOT NULL THEN GREATEST(0, date_diff('day', p_pe, q_pe)) ELSE 0 END::INTEGER AS s_pe FROM c5),
c7 AS (SELECT *, CASE WHEN NOT hb THEN NULL WHEN d_qc IS NOT NULL THEN d_qc
                      WHEN p_qc IS NOT NULL THEN GREATEST({t}, p_qc + s_pe) ELSE GREATEST({t}, q_pe + {s.release_days}) END AS q_qc FROM c6),
c8 AS (SELECT *, CASE WHEN hb AND p_qc IS NOT NULL THEN GREATEST(0, date_diff('day', p_qc, q_qc)) ELSE 0 END::INTEGER AS s_qc FROM c7),
c9 AS (SELECT *, CASE WHEN shipped_on IS NOT NULL THEN shipped_on
                      WHEN p_sh IS NOT NULL THEN GREATEST({t}, p_sh + CASE WHEN hb THEN s_qc ELSE 0 END)
                      WHEN hb THEN GREATEST({t}, q_qc + {s.ship_days}) ELSE {t} END AS q_sh FROM c8),
c10 AS (SELECT *, CASE WHEN p_sh IS NOT NULL THEN GREATEST(0, date_diff('day', p_sh, q_sh)) ELSE 0 END::INTEGER AS s_sh FROM c9),
c11 AS (SELECT *, CASE WHEN p_ar IS NOT NULL THEN GREATEST({t}, p_ar + s_sh) ELSE GREATEST({t}, q_sh + transit) END AS q_ar FROM c10),
c12 AS (SELECT *, CASE WHEN p_ar IS NOT NULL THEN GREATEST(0, date_diff('day', p_ar, q_ar)) ELSE 0 END::INTEGER AS s_ar FROM c11),
r AS (
  SELECT *,
    hb AND disp = 'rejected' AS rejected,
    NOT hb AND planned_ship_date IS NULL AND shipped_on IS NULL AS unplanned,
    due + {d.late_days} AS wend
  FROM c12),
k AS (
  SELECT *,
    CASE WHEN rejected THEN 'no_supply'
         WHEN unplanned AND due <= {t} + {s.horizon_days} THEN 'no_plan'
         WHEN unplanned THEN 'on_track'
         WHEN q_ar > wend THEN 'late'
         WHEN date_diff('day', q_ar, wend) <= {s.tight_days} THEN 'tight'
         ELSE 'on_track' END AS risk,
    CASE WHEN hb THEN s_mr ELSE NULL END AS i_mr,
    CASE WHEN hb THEN s_ps - s_mr END AS i_ps,
    CASE WHEN hb THEN s_pe - s_ps END AS i_pe,
    CASE WHEN hb THEN s_qc - s_pe END AS i_qc,
    s_sh - CASE WHEN hb THEN s_qc ELSE 0 END AS i_sh,
    s_ar - s_sh AS i_ar
  FROM r),
m AS (SELECT *, GREATEST(COALESCE(i_mr, -999999), COALESCE(i_ps, -999999), COALESCE(i_pe, -999999),
                         COALESCE(i_qc, -999999), i_sh, i_ar) AS i_max FROM k),
res AS (
  SELECT line_id, product, ship_to, remaining, risk,
    CASE WHEN rejected OR unplanned THEN NULL ELSE q_ar END AS projected_date,
    CASE WHEN risk = 'late' THEN date_diff('day', due, q_ar) END AS projected_days_late,
    CASE WHEN risk = 'no_supply' THEN 'qc_release'
         WHEN risk <> 'late' THEN NULL
         WHEN i_max <= 0 THEN 'planned_late'
         WHEN i_mr = i_max THEN 'material_ready' WHEN i_ps = i_max THEN 'production_start'
         WHEN i_pe = i_max THEN 'production_end' WHEN i_qc = i_max THEN 'qc_release'
         WHEN i_sh = i_max THEN 'ship' ELSE 'arrival' END AS cause_milestone,
    CASE WHEN rejected OR unplanned THEN NULL ELSE q_ar END AS arrival
  FROM m),
latest AS (
  SELECT product, location, arg_max(date, date) AS date, arg_max(on_hand, date) AS on_hand,
         arg_max(daily_demand, date) AS daily_demand
  FROM stock WHERE date <= {t} AND daily_demand > 0 GROUP BY ALL),
cover AS (
  SELECT res.line_id, st.date,
    GREATEST(st.on_hand, 0) / st.daily_demand
      + COALESCE(SUM(res.remaining / st.daily_demand) OVER (
          PARTITION BY res.product, res.ship_to ORDER BY res.arrival, res.line_id
          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cover_before,
    date_diff('day', st.date, res.arrival) AS at_day,
    res.product, res.ship_to, res.arrival
  FROM res JOIN latest st ON st.product = res.product AND st.location = res.ship_to
  WHERE res.arrival IS NOT NULL),
breaks AS (
  SELECT *, SUM(CASE WHEN at_day > cover_before THEN 1 ELSE 0 END) OVER (
      PARTITION BY product, ship_to ORDER BY arrival, line_id) AS nbreaks
  FROM cover),
so AS (
  SELECT line_id, CAST(date + CAST(FLOOR(cover_before) AS INTEGER) AS DATE) AS stock_out_from
  FROM breaks WHERE at_day > cover_before AND nbreaks = 1)
SELECT res.line_id, res.risk, res.projected_date, res.projected_days_late, res.cause_milestone,
       so.stock_out_from
FROM res LEFT JOIN so USING (line_id) ORDER BY res.line_id
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="open lines (default 100000)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    frames = generate(args.open)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, Polars {pl.__version__}, DuckDB {duckdb.__version__}"
    )
    print(
        f"data: {frames['lines'].height} lines ({args.open} meant open), "
        f"{frames['deliveries'].height} deliveries, {frames['batches'].height} batches, "
        f"{frames['stock'].height} stock rows; as of {AS_OF}"
    )
    con = duckdb.connect()
    for name, frame in frames.items():
        con.register(f"{name}_arrow", frame.to_arrow())
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
    sql = duckdb_sql()

    def engine() -> pl.DataFrame:
        return project(
            frames["lines"],
            frames["deliveries"],
            frames["batches"],
            DEFINITION,
            AS_OF,
            SETTINGS,
            stock=frames["stock"],
        )

    def sql_run() -> pl.DataFrame:
        return con.sql(sql).pl()

    times: dict[str, list[float]] = {"engine": [], "duckdb": []}
    results = {}
    for _ in range(args.repeat):
        for name, fn in (("engine", engine), ("duckdb", sql_run)):
            start = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - start)

    columns = [
        "line_id",
        "risk",
        "projected_date",
        "projected_days_late",
        "cause_milestone",
        "stock_out_from",
    ]
    a = results["engine"].select(columns)
    b = results["duckdb"].select(
        pl.col("line_id").cast(pl.Int64),
        "risk",
        pl.col("projected_date").cast(pl.Date),
        pl.col("projected_days_late").cast(pl.Int64),
        "cause_milestone",
        pl.col("stock_out_from").cast(pl.Date),
    )
    differ = a.join(b, on=columns, how="anti", nulls_equal=True)
    print(
        "open lines projected: "
        + ", ".join(
            f"{r['risk']} {r['len']}" for r in a.group_by("risk").len().sort("risk").to_dicts()
        )
        + f"; stock-outs {a['stock_out_from'].is_not_null().sum()}"
    )
    if a.height != b.height or not differ.is_empty():
        print(f"DISAGREE: engine {a.height} rows, duckdb {b.height}; {differ.height} differ")
        print(differ.head(5))
        print(b.join(differ.select("line_id"), on="line_id").head(5))
        return 1
    print(f"agreement: {a.height} lines identical on {', '.join(columns[1:])}")
    best = {k: min(v) for k, v in times.items()}
    for k, v in times.items():
        print(f"{k:<8} best {min(v):.3f} s  runs {', '.join(f'{x:.3f}' for x in v)}")
    print(
        f"engine_s={best['engine']:.3f} duckdb_s={best['duckdb']:.3f} "
        f"ratio_engine_vs_duckdb={best['engine'] / best['duckdb']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
