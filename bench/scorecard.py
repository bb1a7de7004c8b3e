"""Benchmark: the client scorecard page and its PowerPoint deck over HTTP (issue 4).

    .venv/bin/python -m bench.scorecard                          # build in a temp dir, measure
    .venv/bin/python -m bench.scorecard --data-dir /tmp/tower-sc # build there once, reuse later
    .venv/bin/python -m bench.scorecard --lines 20000 --batches 1000 --requests 10   # quick

Load: one client (BENCH) with --lines order lines (default 100,000: the dashboard benchmark's
generator, bench/import_lines.py:flat_file, plus a planned ship date two days before the
committed date) and --batches batches (default 5,000) with deviations, CAPAs, a weekly plan and
stock-outs generated here, all loaded as a user does it: `tower migrate`, `tower import lines`,
`tower import batches|deviations|capas|plan|stockouts`, two users (bench-admin, CMO admin;
bench-viewer, client viewer of BENCH). A folder built this way is marked and reused.

Serve: gunicorn on 127.0.0.1, 2 workers x 4 threads, DEBUG=0 (bench/dashboard.py:Server).

Measure, over HTTP, signed in (bench/dashboard.py:Browser), --warmup requests per page then
--requests rounds, pages interleaved:
  scorecard page    GET /scorecard/?client=BENCH&period=2026Q2   as the viewer and the admin
  PowerPoint deck   GET /scorecard/export.pptx?client=BENCH&period=2026Q2: the job worker
                    (`tower worker`, started here) makes it; timed from asking to having read
                    the file, its job page polled every 0.1 s
  reference         GET /?client=BENCH&from=2026-04&to=2026-06  (the dashboard, same data)
Goals: scorecard page p95 under 300 ms; deck under 3 s (p95).
Last line: scorecard_p95_ms=... deck_p95_ms=... dashboard_p95_ms=... ratio_page_to_dashboard=...
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from bench.dashboard import (
    ADMIN,
    CLIENT,
    PASSWORD,
    VIEWER,
    BenchError,
    Browser,
    Row,
    Server,
    Worker,
    database_facts,
    print_table,
    tower,
    tower_env,
)
from bench.import_lines import flat_file

PERIOD = "2026Q2"
SCORECARD = f"/scorecard/?client={CLIENT}&period={PERIOD}"
DECK = f"/scorecard/export.pptx?client={CLIENT}&period={PERIOD}"
DASHBOARD = f"/?client={CLIENT}&from=2026-04&to=2026-06"
MARKER = "bench-scorecard.json"  # in a data folder built by this script
PAGE_GOAL_MS = 300.0
DECK_GOAL_MS = 3000.0
DECK_POLL_S = 0.1  # the job page, polled faster than htmx's 1 s to time the work, not the wait

PRODUCTS = 400  # flat_file's product codes P-0 .. P-399
SITES = ("EU-OSD", "US-STERILE", "IN-PACK")
FIRST_START = dt.date(2025, 1, 1)
LAST_START = dt.date(2026, 10, 15)


def _dates(days: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    values = pl.Series(days.astype(np.int64)).cast(pl.Date)
    return values if null is None else values.set(pl.Series(null), None)


def production_files(n_batches: int, folder: Path, seed: int = 7) -> dict[str, Path]:
    """Batches, deviations, CAPAs, a weekly plan and stock-outs for client BENCH, as CSV files."""
    rng = np.random.default_rng(seed)
    epoch = dt.date(1970, 1, 1)
    first, last = (FIRST_START - epoch).days, (LAST_START - epoch).days
    n = n_batches
    planned_start = rng.integers(first, last, size=n)
    actual_start = planned_start + rng.choice([0, 0, 0, 1, 2, 5], size=n)
    actual_end = actual_start + rng.integers(5, 13, size=n)
    planned_release = planned_start + 24
    actual_release = actual_end + rng.integers(8, 25, size=n)
    disposition = rng.choice(
        ["released", "rejected", "on_hold", "reworked"], size=n, p=[0.93, 0.02, 0.02, 0.03]
    )
    no_release = disposition == "on_hold"
    batches = pl.DataFrame(
        {
            "client": CLIENT,
            "batch": [f"B{i:06d}" for i in range(n)],
            "product": [f"P-{p}" for p in rng.integers(0, PRODUCTS, size=n)],
            "site": rng.choice(SITES, size=n),
            "planned_start": _dates(planned_start),
            "actual_start": _dates(actual_start),
            "planned_end": _dates(planned_start + 10),
            "actual_end": _dates(actual_end),
            "material_ready_date": _dates(planned_start + rng.choice([-10, -5, -2, 0, 2], size=n)),
            "planned_release_date": _dates(planned_release),
            "actual_release_date": _dates(actual_release, no_release),
            "theoretical_output": 1000.0,
            "actual_output": np.round(rng.uniform(880, 1005, size=n)),
            "disposition": np.where(no_release, "on_hold", disposition),
        }
    )
    n_dev = max(1, n // 20)
    dev_batch = rng.choice(n, size=n_dev, replace=False)
    opened = actual_start[dev_batch] + 2
    today = (dt.date.today() - epoch).days  # nothing closes in the future: still open then
    dev_closed = opened + rng.integers(5, 60, size=n_dev)
    deviations = pl.DataFrame(
        {
            "client": CLIENT,
            "deviation": [f"DV-{i:05d}" for i in range(n_dev)],
            "batch": batches["batch"].gather(dev_batch),
            "site": batches["site"].gather(dev_batch),
            "opened_date": _dates(opened),
            "closed_date": _dates(dev_closed, dev_closed > today),
            "severity": rng.choice(
                ["minor", "major", "critical"], size=n_dev, p=[0.75, 0.22, 0.03]
            ),
            "category": rng.choice(
                ["equipment", "process", "documentation", "environment"], size=n_dev
            ),
            "area": rng.choice(["manufacturing", "quality", "materials"], size=n_dev),
        }
    )
    n_capa = max(1, n_dev * 4 // 5)
    capa_dev = rng.choice(n_dev, size=n_capa, replace=False)
    due = opened[capa_dev] + 30
    closed = due + rng.choice([-10, -3, 0, 4, 15], size=n_capa)
    capas = pl.DataFrame(
        {
            "client": CLIENT,
            "capa": [f"CA-{i:05d}" for i in range(n_capa)],
            "deviation": deviations["deviation"].gather(capa_dev),
            "title": "Corrective action",
            "due_date": _dates(due),
            "closed_date": _dates(closed, (rng.random(n_capa) < 0.1) | (closed > today)),
        }
    )
    monday = first - (dt.date(2025, 1, 1).weekday())
    weeks = np.arange(monday, last, 7)
    planned_products = [f"P-{p}" for p in range(0, PRODUCTS, 8)]  # 50 products
    grid = pl.DataFrame({"product": planned_products}).join(
        pl.DataFrame({"week": _dates(weeks)}), how="cross"
    )
    planned = rng.integers(1, 20, size=grid.height) * 100.0
    plan = grid.with_columns(
        pl.lit(CLIENT).alias("client"),
        pl.lit(SITES[0]).alias("site"),
        pl.Series("planned_qty", planned),
        pl.Series(
            "released_qty",
            np.round(planned * rng.choice([0.0, 0.8, 1.0, 1.0, 1.0, 1.1], size=grid.height)),
        ),
    )
    n_oos = max(1, n // 40)
    starts = rng.integers(first, (dt.date(2026, 11, 1) - epoch).days, size=n_oos)
    stock_outs = pl.DataFrame(
        {
            "client": CLIENT,
            "product": [f"P-{p}" for p in rng.integers(0, PRODUCTS, size=n_oos)],
            "location": rng.choice(["DE", "FR", "IT", "ES", "NL", "PL"], size=n_oos),
            "start_date": _dates(starts),
            "end_date": _dates(starts + rng.integers(3, 40, size=n_oos), rng.random(n_oos) < 0.05),
        }
    ).unique(["product", "location", "start_date"])
    files = {}
    for kind, frame in (
        ("batches", batches),
        ("deviations", deviations),
        ("capas", capas),
        ("plan", plan),
        ("stockouts", stock_outs),
    ):
        files[kind] = folder / f"{kind}.csv"
        frame.write_csv(files[kind], date_format="%Y-%m-%d")
    return files


def build(data_dir: Path, n_lines: int, n_batches: int) -> None:
    env = tower_env(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-scorecard-csv-") as tmp:
        folder = Path(tmp)
        path, rows = flat_file(n_lines, folder)
        rows.with_columns(
            (pl.col("committed_date") - pl.duration(days=2)).alias("planned_ship_date")
        ).write_csv(path, date_format="%Y-%m-%d")
        del rows
        files = production_files(n_batches, folder)
        tower(env, "migrate", "-v0")
        tower(env, "import", "lines", str(path), "--create-missing")
        timings = {}
        for kind, file in files.items():
            begun = time.perf_counter()
            tower(env, "import", kind, str(file), "--create-missing")
            timings[kind] = time.perf_counter() - begun
    tower(env, "user", "add", ADMIN, "--password", PASSWORD, "--cmo-admin")
    tower(env, "user", "add", VIEWER, "--password", PASSWORD, "--client", CLIENT,
          "--role", "client_viewer")  # fmt: skip
    (data_dir / MARKER).write_text(
        json.dumps(
            {
                "lines": n_lines,
                "batches": n_batches,
                "built": dt.datetime.now().isoformat(timespec="seconds"),
            }
        )
    )
    shown = ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in timings.items())
    print(f"load: {time.perf_counter() - started:.1f} s in all; imports: {shown}")


def prepare(data_dir: Path, n_lines: int, n_batches: int) -> None:
    marker = data_dir / MARKER
    if marker.is_file():
        built = json.loads(marker.read_text())
        print(
            f"reusing {data_dir} ({built['lines']:,} lines, {built['batches']:,} batches, "
            f"built {built['built']})"
        )
        tower(tower_env(data_dir), "migrate", "-v0")
        return
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BenchError(f"{data_dir} holds other files: give --data-dir a new or empty folder")
    print(f"building {data_dir}")
    build(data_dir, n_lines, n_batches)


PAGES = (
    ("scorecard page, client viewer", VIEWER, SCORECARD),
    ("scorecard page, CMO admin", ADMIN, SCORECARD),
    ("PowerPoint deck, client viewer", VIEWER, DECK),
    ("reference: dashboard, viewer", VIEWER, DASHBOARD),
)


def measure(port: int, warmup: int, requests: int) -> list[Row]:
    browsers = {user: Browser(port) for user in (VIEWER, ADMIN)}
    try:
        for user, browser in browsers.items():
            browser.sign_in(user)
        rows = [Row(name) for name, _, _ in PAGES]
        for _ in range(warmup):
            for _, user, path in PAGES:
                if path == DECK:
                    browsers[user].get_download(path, poll_s=DECK_POLL_S)
                else:
                    browsers[user].get_page(path)
        for _ in range(requests):
            for (_, user, path), row in zip(PAGES, rows, strict=True):
                if path == DECK:
                    ms, body, _ = browsers[user].get_download(path, poll_s=DECK_POLL_S)
                else:
                    ms, body = browsers[user].get_page(path)
                row.samples.append(ms)
                row.kilobytes = len(body) / 1024
        return rows
    finally:
        for browser in browsers.values():
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000, help="order lines (default 1e5)")
    parser.add_argument("--batches", type=int, default=5_000, help="batches (default 5,000)")
    parser.add_argument("--requests", type=int, default=30, help="measured rounds (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured rounds first")
    parser.add_argument("--data-dir", type=Path, help="build the data here; reuse it if built")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args(argv)
    if min(args.lines, args.batches, args.requests) < 1 or args.warmup < 0:
        parser.error("--lines, --batches and --requests must be at least 1, --warmup >= 0")
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}; Python {platform.python_version()}"
    )
    temporary = args.data_dir is None
    data_dir = (
        Path(tempfile.mkdtemp(prefix="bench-scorecard-")) if temporary else args.data_dir.resolve()
    )
    server = None
    try:
        prepare(data_dir, args.lines, args.batches)
        lines, size_mb = database_facts(data_dir)
        print(f"database: {lines:,} order lines, {size_mb:.0f} MB (SQLite, WAL)")
        server = Server(data_dir)
        with Worker(data_dir, data_dir / "bench-scorecard-worker.log"), server:
            print(f"server: gunicorn {server.workers} workers x {server.threads} threads, DEBUG=0")
            rows = measure(server.port, args.warmup, args.requests)
    except (BenchError, OSError, http.client.HTTPException) as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        if server is not None and server.process is not None:
            print(f"server log (last lines):\n{server.log_tail()}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.remove_log()
        if temporary and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif temporary:
            print(f"kept {data_dir}: rerun with --data-dir {data_dir}")

    print_table("scorecard pages", [r for r in rows if "deck" not in r.name], PAGE_GOAL_MS)
    print_table("deck", [r for r in rows if "deck" in r.name], DECK_GOAL_MS)
    for row in rows:
        print(f"{row.name}: {row.kilobytes:.0f} KB")
    page = max(rows[0].p95, rows[1].p95)
    deck, reference = rows[2].p95, rows[3].p95
    print(
        f"\ngoal, scorecard page p95 under {PAGE_GOAL_MS:.0f} ms: "
        f"{'met' if page < PAGE_GOAL_MS else 'NOT MET'}; "
        f"deck under {DECK_GOAL_MS / 1000:.0f} s: {'met' if deck < DECK_GOAL_MS else 'NOT MET'}"
    )
    print(
        f"scorecard_p95_ms={page:.1f} deck_p95_ms={deck:.1f} dashboard_p95_ms={reference:.1f} "
        f"ratio_page_to_dashboard={page / reference:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
