"""Benchmark: 20 concurrent XLSX exports of a large client while another user loads the dashboard.

    .venv/bin/python -m bench.exports_load --data-dir /tmp/tower-300k          # builds, then reuses
    .venv/bin/python -m bench.exports_load --lines 20000 --exports 4 --data-dir /tmp/x   # quick

Data: bench/dashboard.py's data folder (bench/generate.py's lines for client BENCH, loaded with
`tower import lines`; its users), plus one CMO-staff user of BENCH per export.

Serve: gunicorn as bench/dashboard.py (2 workers x 4 threads), and one `tower worker` (the
default 2 threads) on the same SQLite data folder: the setup README documents for one machine.

Measure: the viewer's dashboard (GET /?client=BENCH&from=...) one request at a time, first with
nothing else running (--requests requests), then while --exports users each ask at the same
moment for a workbook: half the lines XLSX of every BENCH line, half the scorecard XLSX. Each
exporter does what the page does: follows the job page (polled every second, as htmx does) and
downloads the file when it is done. The viewer keeps loading the dashboard until the last file
is downloaded. Prints p50/p95 of the viewer's dashboard with and without the exports, how long
the exports took, and how many requests of the exporters answered (none may fail).
Last line: idle_p95_ms=... loaded_p95_ms=... exports_s=...
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import threading
import time
from pathlib import Path

from bench.dashboard import (
    CLIENT,
    DASHBOARD,
    PASSWORD,
    VIEWER,
    BenchError,
    Browser,
    Server,
    Worker,
    database_facts,
    p95,
    prepare,
    tower,
    tower_env,
)

LINES_XLSX = f"/lines/export.xlsx?client={CLIENT}&from=2020-01&to=2030-12"
SCORECARD_XLSX = f"/scorecard/export.xlsx?client={CLIENT}&period=2026Q2"


def exporter_name(i: int) -> str:
    return f"bench-exporter-{i:02}"


def add_exporters(data_dir: Path, count: int) -> None:
    with sqlite3.connect(data_dir / "tower.sqlite3") as database:
        existing = {name for (name,) in database.execute("SELECT username FROM auth_user")}
    for i in range(count):
        if exporter_name(i) not in existing:
            tower(tower_env(data_dir), "user", "add", exporter_name(i), "--password", PASSWORD,
                  "--client", CLIENT, "--role", "cmo_staff")  # fmt: skip


class Exporter(threading.Thread):
    """One user asking for one workbook, following its job until the file is downloaded."""

    def __init__(self, port: int, user: str, path: str, start: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.user, self.path, self.start_event = port, user, path, start
        self.error: BaseException | None = None
        self.seconds = 0.0
        self.size = 0
        self.requests = 0

    def run(self) -> None:
        browser = Browser(self.port)
        try:
            browser.sign_in(self.user)
            self.start_event.wait()
            ms, body, self.requests = browser.get_download(self.path)
            self.seconds, self.size = ms / 1000, len(body)
        except BaseException as exc:
            self.error = exc
        finally:
            browser.close()


def dashboard_samples(browser: Browser, until, pause: float = 0.2) -> list[float]:
    samples = []
    while not until(len(samples)):
        samples.append(browser.get_page(DASHBOARD)[0])
        time.sleep(pause)
    return samples


def describe(name: str, samples: list[float]) -> str:
    return (
        f"{name:<34} {len(samples):>5} requests  p50 {statistics.median(samples):8.1f} ms  "
        f"p95 {p95(samples):8.1f} ms  max {max(samples):8.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="built once, then reused")
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--exports", type=int, default=20)
    parser.add_argument("--requests", type=int, default=60, help="idle dashboard requests")
    args = parser.parse_args()

    prepare(args.data_dir, args.lines)
    add_exporters(args.data_dir, args.exports)
    lines, megabytes = database_facts(args.data_dir)
    print(f"data: {lines:,} order lines, {megabytes:.0f} MB SQLite; {os.cpu_count()} CPUs")

    with (
        Worker(args.data_dir, args.data_dir / "bench-exports-worker.log"),
        Server(args.data_dir) as server,
    ):
        viewer = Browser(server.port)
        viewer.sign_in(VIEWER)
        for _ in range(5):
            viewer.get_page(DASHBOARD)  # warm-up
        idle = dashboard_samples(viewer, lambda n: n >= args.requests)
        print(describe("dashboard, nothing else running", idle))

        go = threading.Event()
        exporters = [
            Exporter(server.port, exporter_name(i), (LINES_XLSX, SCORECARD_XLSX)[i % 2], go)
            for i in range(args.exports)
        ]
        for exporter in exporters:
            exporter.start()
        time.sleep(3)  # every exporter signed in
        started = time.perf_counter()
        go.set()
        loaded = dashboard_samples(viewer, lambda n: not any(e.is_alive() for e in exporters))
        for exporter in exporters:
            exporter.join()
        exports_s = time.perf_counter() - started
        viewer.close()
    failed = [e for e in exporters if e.error is not None]
    for exporter in failed:
        print(f"export by {exporter.user} failed: {exporter.error}", file=sys.stderr)
    print(describe(f"dashboard, {args.exports} exports running", loaded))
    for kind, path in (("lines XLSX", LINES_XLSX), ("scorecard XLSX", SCORECARD_XLSX)):
        done = [e for e in exporters if e.path == path and e.error is None]
        if done:
            print(
                f"{kind:<16} {len(done)} files, {statistics.median(e.size for e in done) / 1e6:.1f}"
                f" MB each, ready after {min(e.seconds for e in done):.1f} to "
                f"{max(e.seconds for e in done):.1f} s"
            )
    print(f"all {args.exports} exports done in {exports_s:.1f} s; {len(failed)} failed")
    print(f"idle_p95_ms={p95(idle):.1f} loaded_p95_ms={p95(loaded):.1f} exports_s={exports_s:.1f}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"benchmark stopped: {exc}")
