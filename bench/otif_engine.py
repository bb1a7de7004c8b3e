"""OTIF engine benchmark: tower.engine against DuckDB SQL and vectorised pandas, same data, same run.

    .venv/bin/python -m bench.otif_engine --lines 1000000 --repeat 3

Generates synthetic lines and deliveries (bench/generate.py), evaluates one non-trivial OTIF
definition three ways and checks that they agree line by line and month by month:

  engine  tower.engine.evaluate(...) then summarise(outcomes, by=["month"], grain="line")
  duckdb  one hand-written SQL statement that materialises the per-line outcomes as a DuckDB
          table (window function for the running total), then the monthly line-grain summary
  pandas  what a competent analyst writes: groupby / cumsum / merge, no Python row loops

Both references are written from docs/kpis.md section 1 and the engine's documented contract,
not from the engine's code. Input preparation (registering Arrow data with DuckDB, converting
to pandas) is outside the timings. The last line of output is machine-readable:

    engine_s=X.XXX duckdb_s=X.XXX pandas_s=X.XXX ratio_engine_vs_duckdb=X.XX

(best of --repeat runs, in seconds; ratio = engine_s / duckdb_s). Exit status 1 when the
implementations disagree; the first differing lines are printed with their inputs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl

from bench.generate import generate_frames
from tower.engine.definition import OtifDefinition

# Inside the generated due-date range (2025-01 .. 2026-12): the last two months are pending.
AS_OF = dt.date(2026, 10, 31)
DEFINITION = OtifDefinition(
    basis="committed",
    measured_at="delivery",
    early_days=3,
    late_days=1,
    under_pct=2.0,
    over_pct=5.0,
    open_overdue="fail",
)

DATE_COLUMN = {
    "committed": "committed_date",
    "first_committed": "first_committed_date",
    "requested": "requested_date",
}
MEASURED_DATE = {"delivery": "delivered_date", "shipment": "shipped_date"}

# Compared per line. "all": on every line; "measured": where both sides say the line is measured
# (pending and excluded lines may legitimately carry partial facts or none).
LINE_CHECKS = {
    "state": "all",
    "exclusion": "all",
    "due_date": "all",
    "due_fallback": "dated",
    "period": "all",
    "otif": "all",
    "failure_kind": "all",
    "on_time": "measured",
    "in_full": "measured",
    "days_late": "measured",
    "delivered_qty": "measured",
    "delivery_count": "measured",
    "completion_date": "measured",
    "decisive_date": "measured",
}
# kpis.md leaves room to read the delay classes either as days late or as days beyond the
# grace days; a difference there is reported but does not fail the run.
SOFT_LINE_CHECKS = {"delay_class": "measured"}
MONTH_CHECKS = (
    "count",
    "on_time",
    "in_full",
    "otif",
    "failed",
    "pending",
    "excluded",
    "due_fallback",
)
DELAY_CLASSES = ((2, "1-2"), (7, "3-7"), (14, "8-14"))  # upper bounds; above: ">14"


# --------------------------------------------------------------------------------------------
# (b) DuckDB


def _sql_double(value: float) -> str:
    return f"CAST('{value!r}' AS DOUBLE)"  # the same IEEE double Python computed


def duckdb_outcome_sql(d: OtifDefinition, as_of: dt.date) -> str:
    """One statement: per-line outcomes of definition `d`, as of `as_of`, from `lines`/`deliveries`."""
    chain = [DATE_COLUMN[b] for b in d.due_chain]
    basis_of = " ".join(
        f"WHEN {c} IS NOT NULL THEN '{b}'" for b, c in zip(d.due_chain, chain, strict=True)
    )
    day = MEASURED_DATE[d.measured_at]
    as_of_sql = f"DATE '{as_of.isoformat()}'"
    lower_factor = _sql_double(1 - d.under_pct / 100)
    upper = "NULL" if d.over_pct is None else f"ordered_qty * {_sql_double(1 + d.over_pct / 100)}"
    window_start = "NULL" if d.early_days is None else f"due_date - {d.early_days}"
    window_end = f"due_date + {d.late_days}"
    delay_class = " ".join(f"WHEN days_late <= {hi} THEN '{name}'" for hi, name in DELAY_CLASSES)
    exclude_cancelled = "TRUE" if "cancelled" in d.exclusions else "FALSE"
    exclude_zero = "TRUE" if "zero_quantity" in d.exclusions else "FALSE"
    exclude_overdue = "TRUE" if d.open_overdue == "exclude" else "FALSE"
    return f"""
WITH line AS (
    SELECT line_id, order_key, ordered_qty, line_value, status, manual_exclusion,
           COALESCE({", ".join(chain)}) AS due_date,
           CASE {basis_of} END AS due_basis,
           ordered_qty * {lower_factor} AS lower_qty,
           {upper} AS upper_qty
    FROM lines
),
daily AS (  -- counted deliveries; several on one date count together
    SELECT line_id, {day} AS day, SUM(quantity) AS qty, COUNT(*) AS n
    FROM deliveries
    WHERE {day} IS NOT NULL AND {day} <= {as_of_sql}
    GROUP BY line_id, {day}
),
running AS (
    SELECT line_id, day, qty, n,
           SUM(qty) OVER (PARTITION BY line_id ORDER BY day
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_qty
    FROM daily
),
facts AS (
    SELECT r.line_id,
           SUM(r.qty) AS delivered_qty,
           SUM(r.n) AS delivery_count,
           MIN(r.day) AS first_day,
           MAX(r.day) AS last_day,
           MIN(r.day) FILTER (WHERE r.running_qty >= line.lower_qty) AS completion_date
    FROM running r JOIN line USING (line_id)
    GROUP BY r.line_id
),
judged AS (
    SELECT line.*,
           COALESCE(f.delivered_qty, 0.0) AS delivered_qty,
           COALESCE(f.delivery_count, 0) AS delivery_count,
           f.first_day, f.completion_date,
           COALESCE(f.completion_date, f.last_day) AS decisive_date,
           CASE WHEN manual_exclusion IS NOT NULL THEN 'manual'
                WHEN {exclude_cancelled} AND status = 'cancelled' THEN 'cancelled'
                WHEN {exclude_zero} AND ordered_qty = 0 THEN 'zero_quantity'
                WHEN due_date IS NULL THEN 'no_due_date'
                WHEN {exclude_overdue} AND f.line_id IS NULL AND {as_of_sql} > {window_end}
                    THEN 'open_overdue'
           END AS exclusion
    FROM line LEFT JOIN facts f USING (line_id)
),
flags AS (
    SELECT *,
           CASE WHEN exclusion IS NOT NULL THEN 'excluded'
                WHEN completion_date IS NOT NULL OR {as_of_sql} > {window_end} THEN 'measured'
                ELSE 'pending' END AS state,
           decisive_date - due_date AS days_late,
           COALESCE(first_day < {window_start}, FALSE) AS early,
           COALESCE(decisive_date > {window_end}, FALSE) AS late,
           delivered_qty < lower_qty AS short,
           COALESCE(delivered_qty > upper_qty, FALSE) AS over
    FROM judged
),
verdict AS (
    SELECT *,
           decisive_date IS NOT NULL AND NOT late AND NOT early AS on_time_,
           NOT short AND NOT over AS in_full_
    FROM flags
)
SELECT line_id, order_key, state, exclusion, due_date, due_basis,
       due_basis <> '{d.basis}' AS due_fallback,
       CAST(date_trunc('month', due_date) AS DATE) AS period,
       ordered_qty, line_value, delivered_qty, delivery_count, completion_date, decisive_date,
       days_late,
       CASE WHEN state = 'measured' THEN on_time_ END AS on_time,
       CASE WHEN state = 'measured' THEN in_full_ END AS in_full,
       CASE WHEN state = 'measured' THEN on_time_ AND in_full_ END AS otif,
       CASE WHEN state = 'measured' AND late THEN CASE {delay_class} ELSE '>14' END END
           AS delay_class,
       CASE WHEN state <> 'measured' OR (on_time_ AND in_full_) THEN NULL
            WHEN decisive_date IS NULL THEN 'not_delivered'
            WHEN late AND short THEN 'late_and_short'
            WHEN late THEN 'late'
            WHEN short THEN 'short'
            WHEN over THEN 'over'
            WHEN early THEN 'early'
       END AS failure_kind
FROM verdict
"""


DUCKDB_SUMMARY_SQL = """
SELECT strftime(period, '%Y-%m') AS month,
       COUNT(*) FILTER (WHERE state = 'measured') AS count,
       COUNT(*) FILTER (WHERE on_time) AS on_time,
       COUNT(*) FILTER (WHERE in_full) AS in_full,
       COUNT(*) FILTER (WHERE otif) AS otif,
       COUNT(*) FILTER (WHERE NOT otif) AS failed,
       COUNT(*) FILTER (WHERE state = 'pending') AS pending,
       COUNT(*) FILTER (WHERE state = 'excluded') AS excluded,
       COUNT(*) FILTER (WHERE state = 'measured' AND due_fallback) AS due_fallback,
       ROUND(100.0 * COUNT(*) FILTER (WHERE otif) / NULLIF(COUNT(*) FILTER (WHERE state = 'measured'), 0), 2)
           AS otif_pct,
       ROUND(100.0 * SUM(LEAST(delivered_qty, ordered_qty)) FILTER (WHERE state = 'measured')
             / NULLIF(SUM(ordered_qty) FILTER (WHERE state = 'measured'), 0), 2) AS volume_fill_rate_pct
FROM bench_outcomes
GROUP BY ALL
ORDER BY month NULLS LAST
"""


def run_duckdb(con: duckdb.DuckDBPyConnection, outcome_sql: str) -> pl.DataFrame:
    """Materialise the outcomes as a DuckDB table (as the engine materialises a frame), summarise."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE bench_outcomes AS {outcome_sql}")
    return con.sql(DUCKDB_SUMMARY_SQL).pl()


# --------------------------------------------------------------------------------------------
# (c) pandas


def pandas_evaluate(
    lines: pd.DataFrame, deliveries: pd.DataFrame, d: OtifDefinition, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-line outcomes and the monthly line-grain summary, the way an analyst writes it."""
    as_of = pd.Timestamp(as_of)
    day = MEASURED_DATE[d.measured_at]
    chain = [DATE_COLUMN[b] for b in d.due_chain]

    out = lines[["line_id", "order_key", "ordered_qty", "line_value"]].copy()
    due = lines[chain[0]]
    for column in chain[1:]:
        due = due.fillna(lines[column])
    out["due_date"] = due
    out["due_basis"] = np.select([lines[c].notna() for c in chain], list(d.due_chain), default=None)
    out["due_fallback"] = (out["due_basis"] != d.basis).where(due.notna())
    lower = out["ordered_qty"] * (1 - d.under_pct / 100)
    upper = out["ordered_qty"] * (1 + d.over_pct / 100) if d.over_pct is not None else np.inf

    # Counted deliveries, same-day quantities together, running total per line by date.
    counted = deliveries[deliveries[day].notna() & (deliveries[day] <= as_of)]
    daily = (
        counted.groupby(["line_id", day], sort=True)["quantity"]
        .agg(qty="sum", n="size")
        .reset_index()
    )
    daily["running"] = daily.groupby("line_id")["qty"].cumsum()
    daily["lower"] = daily["line_id"].map(pd.Series(lower.to_numpy(), index=out["line_id"]))
    facts = daily.groupby("line_id").agg(
        delivered_qty=("qty", "sum"),
        delivery_count=("n", "sum"),
        first_day=(day, "min"),
        last_day=(day, "max"),
    )
    facts["completion_date"] = (
        daily[daily["running"] >= daily["lower"]].groupby("line_id")[day].min()
    )
    out = out.merge(facts, left_on="line_id", right_index=True, how="left")
    out["delivered_qty"] = out["delivered_qty"].fillna(0.0)
    out["delivery_count"] = out["delivery_count"].fillna(0).astype("int64")
    delivered = out["last_day"].notna()
    out["decisive_date"] = out["completion_date"].fillna(out["last_day"])

    window_end = due + pd.Timedelta(days=d.late_days)
    exclusion = np.select(
        [
            lines["manual_exclusion"].notna(),
            (lines["status"] == "cancelled") & ("cancelled" in d.exclusions),
            (lines["ordered_qty"] == 0) & ("zero_quantity" in d.exclusions),
            due.isna(),
            (~delivered & (as_of > window_end)) & (d.open_overdue == "exclude"),
        ],
        ["manual", "cancelled", "zero_quantity", "no_due_date", "open_overdue"],
        default=None,
    )
    out["exclusion"] = exclusion
    measured = pd.isna(exclusion) & (out["completion_date"].notna() | (as_of > window_end))
    out["state"] = np.where(
        pd.notna(exclusion), "excluded", np.where(measured, "measured", "pending")
    )
    out["period"] = due.dt.to_period("M")

    out["days_late"] = (out["decisive_date"] - due).dt.days.astype("Int64")
    if d.early_days is None:
        early = pd.Series(False, index=out.index)
    else:
        early = out["first_day"] < due - pd.Timedelta(days=d.early_days)
    late = out["decisive_date"] > window_end
    short = out["delivered_qty"] < lower
    over = out["delivered_qty"] > upper
    on_time = delivered & ~late & ~early
    in_full = ~short & ~over
    otif = on_time & in_full
    out["on_time"] = on_time.astype("boolean").where(measured)
    out["in_full"] = in_full.astype("boolean").where(measured)
    out["otif"] = otif.astype("boolean").where(measured)
    days_late = out["days_late"].fillna(0).to_numpy()
    out["delay_class"] = pd.Series(
        np.select(
            [days_late <= hi for hi, _ in DELAY_CLASSES],
            [name for _, name in DELAY_CLASSES],
            default=">14",
        ),
        index=out.index,
    ).where(measured & late)
    out["failure_kind"] = pd.Series(
        np.select(
            [~delivered, late & short, late, short, over, early],
            ["not_delivered", "late_and_short", "late", "short", "over", "early"],
            default=None,
        ),
        index=out.index,
    ).where(measured & ~otif)

    monthly = (
        pd.DataFrame(
            {
                "month": out["period"],
                "count": measured,
                "on_time": on_time & measured,
                "in_full": in_full & measured,
                "otif": otif & measured,
                "failed": ~otif & measured,
                "pending": out["state"] == "pending",
                "excluded": out["state"] == "excluded",
                "due_fallback": out["due_fallback"].fillna(False).astype(bool) & measured,
                "measured_qty": out["ordered_qty"].where(measured, 0.0),
                "filled_qty": np.minimum(out["delivered_qty"], out["ordered_qty"]).where(
                    measured, 0.0
                ),
            }
        )
        .groupby("month", dropna=False)
        .sum()
    )
    monthly["otif_pct"] = (
        100 * monthly["otif"] / monthly["count"].where(monthly["count"] > 0)
    ).round(2)
    monthly["volume_fill_rate_pct"] = (
        100 * monthly["filled_qty"] / monthly["measured_qty"].where(monthly["measured_qty"] > 0)
    ).round(2)
    return out, monthly.reset_index()


# --------------------------------------------------------------------------------------------
# Agreement


def normalise_outcomes(frame: pl.DataFrame) -> pl.DataFrame:
    """The compared columns, in one set of dtypes, sorted by line."""
    col = pl.col
    return frame.select(
        col("line_id").cast(pl.Int64),
        col("state").cast(pl.String),
        col("exclusion").cast(pl.String),
        col("due_date").cast(pl.Date),
        col("due_fallback").cast(pl.Boolean),
        col("period").cast(pl.Date),
        col("otif").cast(pl.Boolean),
        col("failure_kind").cast(pl.String),
        col("on_time").cast(pl.Boolean),
        col("in_full").cast(pl.Boolean),
        col("days_late").cast(pl.Int64),
        col("delivered_qty").cast(pl.Float64),
        col("delivery_count").cast(pl.Int64),
        col("completion_date").cast(pl.Date),
        col("decisive_date").cast(pl.Date),
        col("delay_class").cast(pl.String),
    ).sort("line_id")


def pandas_outcomes_to_polars(out: pd.DataFrame) -> pl.DataFrame:
    frame = out.assign(period=out["period"].dt.to_timestamp())
    return normalise_outcomes(
        pl.from_pandas(
            frame[
                [
                    "line_id",
                    "state",
                    "exclusion",
                    "due_date",
                    "due_fallback",
                    "period",
                    "otif",
                    "failure_kind",
                    "on_time",
                    "in_full",
                    "days_late",
                    "delivered_qty",
                    "delivery_count",
                    "completion_date",
                    "decisive_date",
                    "delay_class",
                ]
            ]
        )
    )


def normalise_monthly(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("month").cast(pl.String), *(pl.col(c).cast(pl.Int64) for c in MONTH_CHECKS)
    ).sort("month", nulls_last=True)


def pandas_monthly_to_polars(monthly: pd.DataFrame) -> pl.DataFrame:
    month = monthly["month"].astype("string").astype(object).where(monthly["month"].notna(), None)
    return normalise_monthly(pl.from_pandas(monthly.assign(month=month)))


def compare_lines(
    name_a: str, a: pl.DataFrame, name_b: str, b: pl.DataFrame, checks: dict[str, str]
) -> list[tuple[str, pl.DataFrame]]:
    """Columns on which a and b differ, each with the differing rows (line_id, a's, b's value)."""
    if a.height != b.height or not a["line_id"].equals(b["line_id"]):
        only_a = a.join(b, on="line_id", how="anti")["line_id"].head(5).to_list()
        only_b = b.join(a, on="line_id", how="anti")["line_id"].head(5).to_list()
        raise SystemExit(
            f"DISAGREEMENT: {name_a} has {a.height:,} outcome rows, {name_b} {b.height:,}; "
            f"only in {name_a}: {only_a}; only in {name_b}: {only_b}"
        )
    col = pl.col
    both = a.join(b, on="line_id", suffix="_b")
    problems = []
    for column, scope in checks.items():
        differs = ~col(column).eq_missing(col(f"{column}_b"))
        if scope == "measured":
            differs &= (col("state") == "measured") & (col("state_b") == "measured")
        elif scope == "dated":
            differs &= col("due_date").is_not_null()
        rows = both.filter(differs).select(
            "line_id",
            col(column).alias(name_a),
            col(f"{column}_b").alias(name_b),
            col("state").alias(f"state_{name_a}"),
            col("state_b").alias(f"state_{name_b}"),
        )
        if rows.height:
            problems.append((column, rows))
    return problems


def compare_monthly(name_a: str, a: pl.DataFrame, name_b: str, b: pl.DataFrame) -> pl.DataFrame:
    """Months whose counts differ (a full outer join on month, nulls compared as equal)."""
    joined = a.join(b, on="month", how="full", suffix="_b", nulls_equal=True, coalesce=True)
    differs = pl.any_horizontal(~pl.col(c).eq_missing(pl.col(f"{c}_b")) for c in MONTH_CHECKS)
    return joined.filter(differs)


def report_line_problems(
    name_a: str,
    name_b: str,
    problems: list[tuple[str, pl.DataFrame]],
    lines: pl.DataFrame,
    deliveries: pl.DataFrame,
) -> None:
    for column, rows in problems:
        print(f"  {column}: {rows.height:,} lines differ between {name_a} and {name_b}, e.g.")
        print(_indent(rows.head(5)))
    # The smallest differing example: fewest deliveries, then lowest line_id.
    ids = pl.concat([rows.select("line_id") for _, rows in problems]).unique()
    counts = deliveries.group_by("line_id").len()
    example = (
        ids.join(counts, on="line_id", how="left")
        .with_columns(pl.col("len").fill_null(0))
        .sort("len", "line_id")
        .row(0)[0]
    )
    print(f"  smallest differing example, line_id={example}:")
    print(_indent(lines.filter(pl.col("line_id") == example)))
    print(_indent(deliveries.filter(pl.col("line_id") == example).sort("delivered_date")))


def _indent(frame: pl.DataFrame) -> str:
    with pl.Config(tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=40):
        return "\n".join("    " + line for line in str(frame).splitlines())


# --------------------------------------------------------------------------------------------
# Timing


class PeakRss:
    """Samples this process's resident memory in a thread; `peak` is the most seen above `start`."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.page = os.sysconf("SC_PAGE_SIZE")

    def _rss(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self.page

    def __enter__(self) -> PeakRss:
        self.start = self._rss()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def extra_mib(self) -> float:
        return (self.peak - self.start) / 2**20


@dataclass
class Measure:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def run_rounds(
    runners: dict[str, Callable[[], Any]], repeat: int
) -> tuple[dict[str, Measure], dict[str, Any]]:
    """Run every runner once per round, `repeat` rounds; their measures and last results.

    Interleaving the implementations spreads any load from other processes over all of them
    rather than penalising whichever happened to run while the machine was busy.
    """
    measures = {name: Measure() for name in runners}
    last: dict[str, Any] = dict.fromkeys(runners)
    for _ in range(repeat):
        for name, fn in runners.items():
            last[name] = None  # let the previous result go before running again
            wall, cpu = time.perf_counter(), time.process_time()
            last[name] = fn()
            measures[name].cpu.append(time.process_time() - cpu)
            measures[name].wall.append(time.perf_counter() - wall)
    return measures, last


# --------------------------------------------------------------------------------------------

Results = dict[str, tuple[pl.DataFrame, pl.DataFrame]]  # outcomes, monthly summary

ENGINE = "engine evaluate+summarise"
ENGINE_EVALUATE = "engine evaluate"
DUCKDB = "duckdb outcomes table+summary"
DUCKDB_FETCH = "(duckdb outcomes fetched as Arrow)"
DUCKDB_SUMMARY_ONLY = "(duckdb summary only, no outcomes)"
PANDAS = "pandas outcomes+summary"


def build_runners(
    lines: pl.DataFrame, deliveries: pl.DataFrame, *, with_engine: bool, only: str | None = None
) -> tuple[dict[str, Callable[[], Any]], duckdb.DuckDBPyConnection | None]:
    """The timed callables, their inputs prepared (registered with DuckDB, converted to pandas)."""
    runners: dict[str, Callable[[], Any]] = {}
    if with_engine and only in (None, ENGINE_EVALUATE, ENGINE):
        from tower.engine import evaluate, summarise

        def engine_run() -> tuple[pl.DataFrame, pl.DataFrame]:
            outcomes = evaluate(lines, deliveries, DEFINITION, AS_OF)
            return outcomes, summarise(outcomes, by=["month"], grain="line")

        runners[ENGINE_EVALUATE] = lambda: evaluate(lines, deliveries, DEFINITION, AS_OF)
        runners[ENGINE] = engine_run

    con = None
    if only in (None, DUCKDB, DUCKDB_FETCH, DUCKDB_SUMMARY_ONLY):
        con = duckdb.connect()  # default threads: one per CPU
        con.register("lines", lines.to_arrow())
        con.register("deliveries", deliveries.to_arrow())
        outcome_sql = duckdb_outcome_sql(DEFINITION, AS_OF)
        runners[DUCKDB] = lambda: run_duckdb(con, outcome_sql)
        # For scale: the same outcomes handed back to Python as an Arrow table, as a frame is.
        runners[DUCKDB_FETCH] = lambda: con.sql(outcome_sql).to_arrow_table().num_rows
        # And the least DuckDB has to do: the summary straight off the outcome query.
        summary_only = DUCKDB_SUMMARY_SQL.replace("FROM bench_outcomes", f"FROM ({outcome_sql})")
        runners[DUCKDB_SUMMARY_ONLY] = lambda: con.sql(summary_only).pl()

    if only in (None, PANDAS):
        lines_pd, deliveries_pd = lines.to_pandas(), deliveries.to_pandas()
        runners[PANDAS] = lambda: pandas_evaluate(lines_pd, deliveries_pd, DEFINITION, AS_OF)

    if only is not None:
        runners = {only: runners[only]}
    return runners, con


def peak_memory(args: argparse.Namespace, names: list[str]) -> dict[str, float]:
    """Peak RSS increase (MiB) of one run of each implementation, each in a fresh process.

    In one process the allocators keep memory freed by the previous run, so a later run would
    look cheaper than it is.
    """
    peaks = {}
    for name in names:
        child = subprocess.run(
            [sys.executable, "-m", "bench.otif_engine", "--lines", str(args.lines),
             "--seed", str(args.seed), "--memory-of", name],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        last_line = (child.stdout.strip().splitlines() or [""])[-1]
        if child.returncode != 0 or not last_line.startswith("peak_extra_mib="):
            print(f"(memory of {name} not measured: {child.stderr.strip()[-300:]})")
            continue
        peaks[name] = float(last_line.split("=", 1)[1])
    return peaks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines (default 1e6)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per implementation (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--without-engine", action="store_true", help="compare the two references only"
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the peak-memory runs (one process each)"
    )
    parser.add_argument("--memory-of", help=argparse.SUPPRESS)  # the child of peak_memory()
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.lines < 1:
        parser.error("--lines and --repeat must be at least 1")

    started = time.perf_counter()
    lines, deliveries = generate_frames(args.lines, seed=args.seed)
    if args.memory_of:
        runners, _ = build_runners(lines, deliveries, with_engine=True, only=args.memory_of)
        with PeakRss() as rss:
            runners[args.memory_of]()
        print(f"peak_extra_mib={rss.extra_mib:.1f}")
        return 0
    print(
        f"data: {lines.height:,} lines, {deliveries.height:,} deliveries "
        f"(generated in {time.perf_counter() - started:.2f} s); as_of {AS_OF}"
    )
    print(f"definition: {DEFINITION.to_mapping()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{_total_ram_gib():.1f} GiB RAM, load average {os.getloadavg()[0]:.1f}; "
        f"Python {platform.python_version()}, Polars {pl.__version__}, "
        f"DuckDB {duckdb.__version__}, pandas {pd.__version__}; {args.repeat} rounds\n"
    )

    runners, con = build_runners(lines, deliveries, with_engine=not args.without_engine)
    measures, last = run_rounds(runners, args.repeat)

    results: Results = {}
    if not args.without_engine:
        outcomes, monthly = last[ENGINE]
        results["engine"] = (normalise_outcomes(outcomes), normalise_monthly(monthly))
    results["duckdb"] = (
        normalise_outcomes(con.sql("SELECT * FROM bench_outcomes").pl()),
        normalise_monthly(last[DUCKDB]),
    )
    con.close()
    outcomes_pd, monthly_pd = last[PANDAS]
    results["pandas"] = (
        pandas_outcomes_to_polars(outcomes_pd),
        pandas_monthly_to_polars(monthly_pd),
    )
    del runners, last, outcomes_pd, monthly_pd

    peaks = {} if args.no_memory else peak_memory(args, list(measures))
    print(f"{'implementation':<36}{'best s':>9}{'median s':>10}{'cpu s':>8}{'peak +MiB':>11}")
    for name, m in measures.items():
        best = m.wall.index(min(m.wall))
        peak = f"{peaks[name]:.0f}" if name in peaks else "-"
        print(
            f"{name:<36}{m.wall[best]:>9.3f}{statistics.median(m.wall):>10.3f}"
            f"{m.cpu[best]:>8.2f}{peak:>11}"
        )
    print(
        "best/median: wall seconds over the rounds; cpu s: process CPU time of the best run; "
        "peak +MiB: most resident memory above the prepared inputs, one run in a fresh process"
    )

    ok = check_agreement(results, lines, deliveries)

    duckdb_s, pandas_s = min(measures[DUCKDB].wall), min(measures[PANDAS].wall)
    if args.without_engine:
        engine_s, ratio = "n/a", "n/a"
    else:
        engine_s = f"{min(measures[ENGINE].wall):.3f}"
        ratio = f"{min(measures[ENGINE].wall) / duckdb_s:.2f}"
    print(
        f"engine_s={engine_s} duckdb_s={duckdb_s:.3f} pandas_s={pandas_s:.3f} "
        f"ratio_engine_vs_duckdb={ratio}"
    )
    return 0 if ok else 1


def check_agreement(
    results: Results,
    lines: pl.DataFrame,
    deliveries: pl.DataFrame,
) -> bool:
    """Compare every implementation with the DuckDB reference; print what differs."""
    print()
    ok = True
    reference = "duckdb"
    ref_lines, ref_monthly = results[reference]
    for name, (out, monthly) in results.items():
        if name == reference:
            continue
        problems = compare_lines(name, out, reference, ref_lines, LINE_CHECKS)
        soft = compare_lines(name, out, reference, ref_lines, SOFT_LINE_CHECKS)
        months = compare_monthly(name, monthly, reference, ref_monthly)
        if problems:
            ok = False
            print(f"DISAGREEMENT per line: {name} vs {reference}")
            report_line_problems(name, reference, problems, lines, deliveries)
        if months.height:
            ok = False
            print(f"DISAGREEMENT per month: {name} vs {reference} ({months.height} months)")
            print(_indent(months.head(5)))
        for column, rows in soft:
            print(
                f"note: {column} differs on {rows.height:,} measured lines between {name} and "
                f"{reference} (an interpretation of kpis.md, not a failure), e.g."
            )
            print(_indent(rows.head(3)))
        if not problems and not months.height:
            print(
                f"agreement: {name} = {reference} on {len(LINE_CHECKS)} per-line columns of "
                f"{out.height:,} lines and {len(MONTH_CHECKS)} counts of {monthly.height} months"
            )
    states = ref_lines["state"].value_counts().sort("state")
    kinds = ref_lines["failure_kind"].drop_nulls().value_counts().sort("failure_kind")
    print(
        "mix: "
        + ", ".join(f"{s} {c:,}" for s, c in states.iter_rows())
        + "; failures: "
        + ", ".join(f"{k} {c:,}" for k, c in kinds.iter_rows())
    )
    return ok


def _total_ram_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


if __name__ == "__main__":
    sys.exit(main())
