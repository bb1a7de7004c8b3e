"""Benchmark: the outlook page (/outlook/) over HTTP, 1,000,000 lines in SQLite.

    .venv/bin/python -m bench.outlook_page --data-dir /tmp/tower-1m    # build once, then reuse
    .venv/bin/python -m bench.outlook_page --lines 20000 --requests 20  # a quick check

The dashboard benchmark's method and data folder (bench/dashboard.py: the engine generator's
lines imported by `tower import lines`, gunicorn 2 workers x 4 threads, DEBUG=0, browsers with
their own keep-alive connection and session). The import projects every open line of the client
as of today (tower.imports.refresh), so the page reads a stored projection of the open lines of a
million-line client. Pages, interleaved round by round after the warm-up:

  outlook, client viewer   GET /outlook/?client=BENCH
  outlook, CMO admin       GET /outlook/?client=BENCH
  outlook, late, page 20   GET /outlook/?client=BENCH&risk=late&page=20     (CMO admin)
  outlook, sorted by due   GET /outlook/?client=BENCH&sort=-due_date        (CMO admin)
  outlook, most days late  GET /outlook/?client=BENCH&sort=-days_late&page=5 (CMO admin)
  outlook, planning area   GET /outlook/?client=BENCH&area=planning         (client viewer)

Goal: p95 under 150 ms on every page. Last line: outlook_p95_ms=... (the worst page's p95).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from bench.dashboard import (
    ADMIN,
    CLIENT,
    SINGLE_GOAL_MS,
    VIEWER,
    BenchError,
    Browser,
    Page,
    Row,
    Server,
    database_facts,
    list_summary,
    prepare,
    print_table,
)

PAGES = (
    Page("outlook, client viewer", "outlook", VIEWER, f"/outlook/?client={CLIENT}"),
    Page("outlook, CMO admin", "outlook", ADMIN, f"/outlook/?client={CLIENT}"),
    Page(
        "outlook, late, page 20", "outlook", ADMIN, f"/outlook/?client={CLIENT}&risk=late&page=20"
    ),
    Page("outlook, sorted by due", "outlook", ADMIN, f"/outlook/?client={CLIENT}&sort=-due_date"),
    Page(
        "outlook, most days late",
        "outlook",
        ADMIN,
        f"/outlook/?client={CLIENT}&sort=-days_late&page=5",
    ),
    Page("outlook, planning area", "outlook", VIEWER, f"/outlook/?client={CLIENT}&area=planning"),
)


def measure(port: int, warmup: int, requests: int) -> list[Row]:
    browsers = {user: Browser(port) for user in (VIEWER, ADMIN)}
    try:
        for user, browser in browsers.items():
            browser.sign_in(user)
        rows = [Row(page.name) for page in PAGES]
        for _ in range(warmup):
            for page in PAGES:
                browsers[page.user].get_page(page.path)
        for _ in range(requests):
            for page, row in zip(PAGES, rows, strict=True):
                ms, body = browsers[page.user].get_page(page.path)
                row.samples.append(ms)
                row.kilobytes, row.summary = len(body) / 1024, list_summary(body)
        return rows
    finally:
        for browser in browsers.values():
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, help="build the data here and keep it")
    args = parser.parse_args(argv)
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}; Python {platform.python_version()}"
    )
    temporary = args.data_dir is None
    data_dir = (
        Path(tempfile.mkdtemp(prefix="bench-outlook-")) if temporary else args.data_dir.resolve()
    )
    server = None
    try:
        prepare(data_dir, args.lines)
        lines, size_mb = database_facts(data_dir)
        print(f"database: {lines:,} order lines, {size_mb:.0f} MB (SQLite, WAL)")
        server = Server(data_dir)
        with server:
            rows = measure(server.port, args.warmup, args.requests)
    except (BenchError, OSError, http.client.HTTPException) as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        if server is not None and server.process is not None:
            print(f"server log (last lines):\n{server.log_tail()}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.remove_log()
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)
    print_table(
        f"one request at a time ({args.warmup} warm-up rounds, {args.requests} measured)",
        rows,
        SINGLE_GOAL_MS,
    )
    for row in rows:
        print(f"{row.name}: {row.kilobytes:.0f} KB" + (f", {row.summary}" if row.summary else ""))
    worst = max(row.p95 for row in rows)
    print(
        f"\ngoal: p95 under {SINGLE_GOAL_MS:.0f} ms: {'met' if worst < SINGLE_GOAL_MS else 'NOT MET'}"
    )
    print(f"outlook_p95_ms={worst:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
