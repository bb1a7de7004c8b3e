"""Backtest of the early warning (issue 10, kpis.md 8): how well did the projection foresee the
demo's real failures?

    .venv/bin/python -m bench.backtest --data-dir /tmp/tower-demo   # builds the demo there once
    .venv/bin/python -m bench.backtest --data-dir /tmp/tower-demo --quarters 2 --horizons 3,7,14

The demo's last two whole quarters are replayed day by day. On each day T every client's lines
are projected with what was known at T (`as_known_at`: deliveries shipped after T removed, a
delivery shipped by T but delivered after it kept as in transit, batch dates after T hidden, a
batch's disposition hidden until its release, stock counts after T removed, a line closed after
T open again), with the client's OTIF definition and early-warning settings of today. For each
horizon h, a line due on day D is judged by its projection on T = D - h:

  flagged   the projection said "late" (the rule of the page's red rows);
  failed    the line's real outcome, evaluated as of today with everything known, is a
            measured OTIF failure (late, short or not delivered).

Precision = flagged and failed / flagged; recall = flagged and failed / failed, over the lines
due in the replayed quarters that were still open at T (a line already complete at T cannot be
warned about, and counts among the failures missed only if it failed after all: it did not).
The same figures are printed for a wider rule, "late or tight", to show the trade-off.

What the demo cannot tell (and so the backtest does not pretend to): when an order line was
entered and when a committed date was moved. Every line is taken as known at T with today's
committed date, which flatters the figures a little for re-committed lines.

Last line: `backtest horizon=3 precision=... recall=... horizon=7 ...`
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

FAILED_KINDS = ("late", "short", "not_delivered", "late_and_short")


@dataclass
class Tally:
    flagged: int = 0
    failed: int = 0
    hit: int = 0
    judged: int = 0
    missed: dict[str, int] = field(default_factory=dict)  # failures not flagged, by kind

    def add(self, flagged: pl.Series, failed: pl.Series, kinds: pl.Series) -> None:
        self.judged += flagged.len()
        self.flagged += int(flagged.sum())
        self.failed += int(failed.sum())
        self.hit += int((flagged & failed).sum())
        for kind in kinds.filter(failed & ~flagged).to_list():
            self.missed[kind] = self.missed.get(kind, 0) + 1

    @property
    def precision(self) -> float | None:
        return self.hit / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.hit / self.failed if self.failed else None


def as_known_at(frames: dict[str, pl.DataFrame], T: dt.date) -> dict[str, pl.DataFrame]:
    """The client's frames as they stood on day T (see the module docstring)."""
    col, lit = pl.col, pl.lit
    day = lit(T, dtype=pl.Date)
    deliveries = frames["deliveries"].filter(
        col("shipped_date").is_null() | (col("shipped_date") <= day)
    )
    deliveries = deliveries.filter(
        col("shipped_date").is_not_null() | (col("delivered_date") <= day)
    ).with_columns(
        pl.when(col("delivered_date") <= day).then(col("delivered_date")).alias("delivered_date")
    )
    finished_after = (
        frames["deliveries"]
        .group_by("line_id")
        .agg(pl.max_horizontal("shipped_date", "delivered_date").max().alias("_last"))
    )
    lines = (
        frames["lines"]
        .join(finished_after, on="line_id", how="left")
        .with_columns(
            pl.when((col("status") == "closed") & (col("_last") > day))
            .then(lit("open"))
            .otherwise(col("status"))
            .alias("status")
        )
        .drop("_last")
    )
    hide = lambda c: pl.when(col(c) <= day).then(col(c)).alias(c)  # noqa: E731
    batches = frames["batches"].with_columns(
        hide("actual_start"),
        hide("actual_end"),
        hide("material_ready_date"),
        pl.when(col("actual_release_date") <= day).then(col("disposition")).alias("disposition"),
        hide("actual_release_date"),
        pl.when(col("actual_end") <= day).then(col("actual_output")).alias("actual_output"),
    )
    stock = frames["stock"].filter(col("date") <= day)
    return {"lines": lines, "deliveries": deliveries, "batches": batches, "stock": stock}


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def replay_window(today: dt.date, quarters: int) -> tuple[dt.date, dt.date]:
    """The last `quarters` whole quarters before today's: (first day, last day)."""
    end = quarter_start(today) - dt.timedelta(days=1)
    start = quarter_start(end)
    for _ in range(quarters - 1):
        start = quarter_start(start - dt.timedelta(days=1))
    return start, end


def build_demo(data_dir: Path) -> None:
    if (data_dir / "tower.sqlite3").exists():
        return
    print(f"building the demo database in {data_dir} (a few minutes)", flush=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    tower = Path(sys.executable).with_name("tower")
    env = {**os.environ, "TOWER_DATA_DIR": str(data_dir)}
    subprocess.run([str(tower), "demo", "--no-serve"], env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/tower-demo"))
    parser.add_argument("--quarters", type=int, default=2, choices=range(1, 9))
    parser.add_argument("--horizons", default="3,7,14")
    args = parser.parse_args(argv)
    try:
        horizons = sorted({int(h) for h in args.horizons.split(",")})
    except ValueError:
        parser.error("--horizons: whole numbers of days separated by commas, e.g. 3,7,14")
    if not all(1 <= h <= 90 for h in horizons):
        parser.error("--horizons: each between 1 and 90 days")

    build_demo(args.data_dir)
    os.environ["TOWER_DATA_DIR"] = str(args.data_dir.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tower.settings")
    import django

    django.setup()
    from django.utils import timezone

    from tower.agreements.queries import current_definition
    from tower.engine.otif import evaluate
    from tower.engine.projection import project
    from tower.outlook.queries import projection_inputs, projection_settings
    from tower.tenancy.models import Client

    today = timezone.localdate()
    first, last = replay_window(today, args.quarters)
    print(f"replaying {first} to {last} (due dates), horizons {horizons} days, as of {today}")
    rules = {"late": ("late",), "late or tight": ("late", "tight")}
    tallies = {(rule, h): Tally() for rule in rules for h in horizons}
    started = time.perf_counter()
    projections = 0
    for client in Client.objects.order_by("code"):
        frames = projection_inputs(client)
        if frames["lines"].is_empty():
            continue
        _, definition = current_definition(client)
        settings = projection_settings(client)
        # Only measured lines are judged: a cancelled or excluded line has no outcome to foresee.
        truth = (
            evaluate(frames["lines"], frames["deliveries"], definition, today)
            .filter(pl.col("state") == "measured")
            .select(
                "line_id",
                pl.col("failure_kind").is_in(FAILED_KINDS).alias("failed"),
                "failure_kind",
            )
        )
        days = (last - first).days + 1
        for offset in range(-max(horizons), days):
            T = first + dt.timedelta(days=offset)
            known = as_known_at(frames, T)
            projection = project(
                known["lines"],
                known["deliveries"],
                known["batches"],
                definition,
                T,
                settings,
                stock=known["stock"],
            )
            projections += 1
            for h in horizons:
                due = T + dt.timedelta(days=h)
                if not first <= due <= last:
                    continue
                judged = projection.filter(pl.col("due_date") == due).join(
                    truth, on="line_id", how="inner"
                )
                for rule, risks in rules.items():
                    tallies[(rule, h)].add(
                        judged["risk"].is_in(risks), judged["failed"], judged["failure_kind"]
                    )
    elapsed = time.perf_counter() - started
    print(f"{projections} projections in {elapsed:.1f} s\n")
    print(
        f"{'rule':<15}{'horizon':>8}{'judged':>8}{'flagged':>9}{'failed':>8}{'hit':>6}"
        f"{'precision':>11}{'recall':>8}"
    )
    pct = lambda v: "—" if v is None else f"{100 * v:.1f}%"  # noqa: E731
    for (rule, h), t in tallies.items():
        print(
            f"{rule:<15}{h:>8}{t.judged:>8}{t.flagged:>9}{t.failed:>8}{t.hit:>6}"
            f"{pct(t.precision):>11}{pct(t.recall):>8}"
        )
    print('\nfailures the rule "late" missed, by failure kind:')
    for h in horizons:
        missed = tallies[("late", h)].missed
        print(f"  horizon {h:>2}: " + ", ".join(f"{k} {n}" for k, n in sorted(missed.items())))
    summary = " ".join(
        f"horizon={h} precision={pct(tallies[('late', h)].precision)} "
        f"recall={pct(tallies[('late', h)].recall)}"
        for h in horizons
    )
    print(f"\nbacktest {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
