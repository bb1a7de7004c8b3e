"""Benchmark: the web dashboard and the drill-down list over HTTP, 1,000,000 lines in SQLite.

    .venv/bin/python -m bench.dashboard                    # build in a temp dir, measure, delete
    .venv/bin/python -m bench.dashboard --data-dir /tmp/tower-1m   # first run builds it there...
    .venv/bin/python -m bench.dashboard --data-dir /tmp/tower-1m   # ...later runs reuse it
    .venv/bin/python -m bench.dashboard --lines 20000 --requests 20    # a quick check

Load: the engine benchmark's generator (bench/generate.py) gives the lines and deliveries, written
as one import file for client BENCH (bench/import_lines.py:flat_file) and loaded into a fresh
SQLite data folder the way a user does it: `tower migrate`, `tower import lines FILE
--create-missing`, then two users, `bench-admin` (CMO admin) and `bench-viewer` (client viewer of
BENCH). A folder built this way is marked (bench-dashboard.json) and reused by --data-dir.

Serve: gunicorn on 127.0.0.1, 2 workers x 4 threads (sized for a 2-CPU machine), DEBUG=0.

Measure, over HTTP with the standard library only, each simulated browser with its own
keep-alive connection and cookies, signed in through /accounts/login/ (CSRF token and all):

  dashboard            GET /?client=BENCH&from=2025-11&to=2026-10   as the viewer and the admin
  drill-down           GET /lines/?client=BENCH&from=2026-01&to=2026-03&outcome=failed&sort=-days_late
  drill-down, page 20  the same with &page=20
  worklist             GET /board/worklist/?client=BENCH&from=2025-11&to=2026-10 (viewer, admin)
  board                GET /board/?client=BENCH&date=2026-10-15 (viewer, admin, big screen)

Single client: --warmup requests per page, then --requests rounds of one request per page (pages
interleaved, so load from other processes falls on all of them alike). Concurrent: --concurrency
clients (client viewers, each signed in with its own session, one warm-up per page), released
together, each making --requests requests alternating dashboard and drill-down. Every measured
response must be HTTP 200 and not the sign-in page, or the run stops with the reason. Times are
from sending the request to having read the whole body; p95 is nearest-rank.

Goals: p95 under 150 ms for one client, under 500 ms with 10 concurrent.
Last line: dashboard_p95_ms=... drilldown_p95_ms=... board_p95_ms=... concurrent_p95_ms=...
(the worst p95 of the dashboard and worklist rows, of the drill-down rows, of the board rows, and
of all concurrent requests).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.import_lines import flat_file

ROOT = Path(__file__).resolve().parent.parent
TOWER = ROOT / ".venv" / "bin" / "tower"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
MARKER = "bench-dashboard.json"  # in a data folder built by this script

CLIENT = "BENCH"  # the client code flat_file() writes
ADMIN, VIEWER = "bench-admin", "bench-viewer"
PASSWORD = "bench-password-1"

LOGIN = "/accounts/login/"
JOB_PAGE = re.compile(r"^/jobs/(\d+)/$")  # where a download the worker makes answers
DASHBOARD = f"/?client={CLIENT}&from=2025-11&to=2026-10"
DRILLDOWN = f"/lines/?client={CLIENT}&from=2026-01&to=2026-03&outcome=failed&sort=-days_late"
# The dashboard's worklists (a fragment tower.board serves, the dashboard loads it after the
# page) and the daily board of a day with lines due the day before and in the week.
WORKLIST = f"/board/worklist/?client={CLIENT}&from=2025-11&to=2026-10"
BOARD = f"/board/?client={CLIENT}&date=2026-10-15"

SINGLE_GOAL_MS = 150.0
CONCURRENT_GOAL_MS = 500.0
REQUEST_TIMEOUT_S = 120.0


class BenchError(Exception):
    """The run cannot go on; the message says why."""


@dataclass(frozen=True)
class Page:
    name: str
    kind: str  # "dashboard" or "drill-down": which figure of the last line it counts towards
    user: str
    path: str


SINGLE_PAGES = (
    Page("dashboard, client viewer", "dashboard", VIEWER, DASHBOARD),
    Page("dashboard, CMO admin", "dashboard", ADMIN, DASHBOARD),
    Page("drill-down, page 1", "drill-down", VIEWER, DRILLDOWN),
    Page("drill-down, page 20", "drill-down", VIEWER, DRILLDOWN + "&page=20"),
    Page("worklist, client viewer", "dashboard", VIEWER, WORKLIST),
    Page("worklist, CMO admin", "dashboard", ADMIN, WORKLIST),
    Page("board, client viewer", "board", VIEWER, BOARD),
    Page("board, CMO admin", "board", ADMIN, BOARD),
    Page("board, big screen", "board", ADMIN, BOARD + "&screen=1"),
)
CONCURRENT_PAGES = (SINGLE_PAGES[0], SINGLE_PAGES[2])  # alternated by every concurrent client


# --------------------------------------------------------------------------------------------
# Statistics


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile: the smallest sample with at least 95 % of samples <= it."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


@dataclass
class Row:
    name: str
    samples: list[float] = field(default_factory=list)  # milliseconds
    kilobytes: float = 0.0
    summary: str = ""  # the list's "Page x of y · n lines", when the page shows one

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return p95(self.samples)


# --------------------------------------------------------------------------------------------
# Data folder


def tower_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "TOWER_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)  # SQLite in data_dir, whatever the caller's shell says
    return env


def tower(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([str(TOWER), *args], env=env, check=False)
    if result.returncode != 0:
        raise BenchError(f"`tower {' '.join(args)}` failed (exit status {result.returncode})")


def build(data_dir: Path, n_lines: int) -> None:
    """Load n_lines generated lines into a new SQLite database in data_dir, and the two users."""
    env = tower_env(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-csv-") as tmp:
        path, rows = flat_file(n_lines, Path(tmp))
        generated = time.perf_counter()
        print(
            f"generated {n_lines:,} lines ({rows.height:,} rows, "
            f"{path.stat().st_size / 1e6:.0f} MB of CSV) in {generated - started:.1f} s"
        )
        del rows
        tower(env, "migrate", "-v0")
        imported = time.perf_counter()
        tower(env, "import", "lines", str(path), "--create-missing")
        imported = time.perf_counter() - imported
    tower(env, "user", "add", ADMIN, "--password", PASSWORD, "--cmo-admin")
    tower(env, "user", "add", VIEWER, "--password", PASSWORD, "--client", CLIENT,
          "--role", "client_viewer")  # fmt: skip
    (data_dir / MARKER).write_text(
        json.dumps({"lines": n_lines, "built": dt.datetime.now().isoformat(timespec="seconds")})
    )
    print(
        f"load: {time.perf_counter() - started:.1f} s in all "
        f"(of which `tower import lines` {imported:.1f} s)"
    )


def prepare(data_dir: Path, n_lines: int) -> None:
    """Reuse data_dir if this script built it, build it if it is new or empty, refuse otherwise."""
    marker = data_dir / MARKER
    if marker.is_file():
        built = json.loads(marker.read_text())
        print(f"reusing {data_dir} ({built['lines']:,} lines, built {built['built']})")
        if built["lines"] != n_lines:
            print(f"  (--lines {n_lines:,} ignored: the folder keeps what it was built with)")
        tower(tower_env(data_dir), "migrate", "-v0")  # the schema may have moved on since
        return
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BenchError(
            f"{data_dir} holds other files: give --data-dir a new or empty folder, "
            "or one this benchmark built"
        )
    print(f"building {data_dir}")
    build(data_dir, n_lines)


def database_facts(data_dir: Path) -> tuple[int | None, float]:
    """Order lines in the database (None if unreadable) and the database's size in MB."""
    database = data_dir / "tower.sqlite3"
    size = sum(
        p.stat().st_size for p in data_dir.glob("tower.sqlite3*") if p.name != "tower.sqlite3-shm"
    )
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            (lines,) = connection.execute("SELECT count(*) FROM orders_orderline").fetchone()
    except sqlite3.Error:
        lines = None
    return lines, size / 1e6


# --------------------------------------------------------------------------------------------
# Server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving tower.wsgi on a free local port; a context manager that always stops it."""

    def __init__(self, data_dir: Path, workers: int = 2, threads: int = 4) -> None:
        self.data_dir = data_dir
        self.workers, self.threads = workers, threads
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        # Kept after the server stops, for log_tail(); remove_log() deletes it.
        handle, name = tempfile.mkstemp(prefix="bench-dashboard-gunicorn-", suffix=".log")
        os.close(handle)
        self.log = Path(name)

    def __enter__(self) -> Server:
        if not GUNICORN.exists():
            raise BenchError(f"{GUNICORN} not found: install gunicorn into the venv")
        env = tower_env(self.data_dir) | {"SECRET_KEY": "bench-dashboard-secret-key", "DEBUG": "0"}
        command = [
            str(GUNICORN), "tower.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers), "--threads", str(self.threads),
            "--timeout", str(int(REQUEST_TIMEOUT_S)),
        ]  # fmt: skip
        help_text = subprocess.run(
            [str(GUNICORN), "--help"], capture_output=True, text=True, check=False
        )
        if "--no-control-socket" in help_text.stdout:
            # Recent gunicorn opens a control socket at one fixed path per user by default,
            # which a second server (another run, a developer's) would fight over.
            command.append("--no-control-socket")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_up(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with status {self.process.returncode}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", LOGIN)
                connection.getresponse().read()  # any answer will do: the server is up
                return
            except OSError:
                time.sleep(0.2)
            finally:
                connection.close()
        raise BenchError(f"gunicorn did not answer within {timeout_s:.0f} s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def remove_log(self) -> None:
        self.log.unlink(missing_ok=True)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        return "\n".join("  | " + line for line in text[-lines:]) or "  | (no output)"


# --------------------------------------------------------------------------------------------
# Browser


_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')


def hidden_field(html: str, name: str) -> str | None:
    for tag in _INPUT.findall(html):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get("name") == name:
            return attributes.get("value")
    return None


def is_sign_in_page(body: bytes) -> bool:
    return b'name="password"' in body


_SUMMARY = re.compile(r"Page [\d,]+ of [\d,]+ · [\d,]+ \w+")


def list_summary(body: bytes) -> str:
    """A list page's "Page x of y · n lines" (informative only: "" if the markup differs)."""
    found = _SUMMARY.search(body.decode(errors="replace"))
    return found.group(0) if found else ""


class Browser:
    """One simulated browser: a keep-alive connection to the server and its cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.user = "(anonymous)"
        self.reconnects = 0
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict | None = None
    ) -> tuple[http.client.HTTPResponse, bytes, float]:
        """Response, whole body and seconds from sending to the last byte read.

        A keep-alive connection the server has closed meanwhile is reopened once, as browsers do;
        only the attempt that got an answer is timed.
        """
        headers = {"Accept": "text/html", "Accept-Encoding": "identity", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S
                )
            started = time.perf_counter()
            try:
                self._connection.request(method, path, body=body, headers=headers)
                response = self._connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                self.reconnects += 1
                continue
            elapsed = time.perf_counter() - started
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            if response.will_close:
                self.close()
            return response, data, elapsed
        raise AssertionError("unreachable")

    def sign_in(self, username: str) -> None:
        """Sign in through the login form as a person does: CSRF cookie, hidden token, Referer."""
        response, body, _ = self.request("GET", LOGIN)
        if response.status != 200:
            raise BenchError(
                f"GET {LOGIN}: HTTP {response.status}; the benchmark signs in through that page"
            )
        token = hidden_field(body.decode(errors="replace"), "csrfmiddlewaretoken")
        if token is None or "csrftoken" not in self.cookies:
            raise BenchError(f"GET {LOGIN}: no csrfmiddlewaretoken field or no csrftoken cookie")
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        form["next"] = "/"
        response, body, _ = self.request(
            "POST",
            LOGIN,
            body=urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + LOGIN,
            },
        )
        if response.status not in (302, 303) or "sessionid" not in self.cookies:
            why = " (the sign-in form came back)" if is_sign_in_page(body) else ""
            raise BenchError(f"signing in as {username} failed: HTTP {response.status}{why}")
        self.user = username

    def get_page(self, path: str) -> tuple[float, bytes]:
        """Milliseconds to fetch a page that must come back 200 and not be the sign-in page."""
        response, body, elapsed = self.request("GET", path)
        if response.status != 200:
            where = response.getheader("Location")
            raise BenchError(
                f"GET {path} as {self.user}: HTTP {response.status}"
                + (f", redirected to {where}" if where else "")
            )
        if is_sign_in_page(body):
            raise BenchError(f"GET {path} as {self.user}: got the sign-in page")
        return elapsed * 1000, body

    def get_download(self, path: str, poll_s: float = 1.0) -> tuple[float, bytes, int]:
        """Milliseconds from asking for a download to having read the file, the file and the
        requests it took. A file the job worker makes answers with its job's page: that page
        is polled as htmx does (every `poll_s`) until the job is done, then the file is read."""
        started = time.perf_counter()
        response, body, _ = self.request("GET", path)
        requests = 1
        job = response.getheader("Location") or ""
        if response.status == 200:  # small enough for the request
            return (time.perf_counter() - started) * 1000, body, requests
        if response.status != 302 or not JOB_PAGE.match(job):
            raise BenchError(f"GET {path} as {self.user}: HTTP {response.status} {job}")
        while True:
            response, body, _ = self.request("GET", job, headers={"HX-Request": "true"})
            requests += 1
            if response.status != 200:
                raise BenchError(f"GET {job} as {self.user}: HTTP {response.status}")
            if b"Not done." in body:
                raise BenchError(f"{job} failed: {body.decode(errors='replace')[:300]}")
            if b"Done." in body:
                break
            time.sleep(poll_s)
        response, body, _ = self.request("GET", job + "download")
        requests += 1
        if response.status != 200:
            raise BenchError(f"GET {job}download as {self.user}: HTTP {response.status}")
        return (time.perf_counter() - started) * 1000, body, requests


class Worker:
    """`tower worker` on the data folder (the job worker the web app queues downloads for); a
    context manager that always stops it. Its output goes to `log`."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.data_dir, self.log = data_dir, log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Worker:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(TOWER), "worker"],
                env=tower_env(self.data_dir),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


# --------------------------------------------------------------------------------------------
# Measurements


def measure_single(port: int, warmup: int, requests: int) -> list[Row]:
    """One client per user, one request at a time; pages interleaved round by round."""
    browsers = {user: Browser(port) for user in (VIEWER, ADMIN)}
    try:
        for user, browser in browsers.items():
            browser.sign_in(user)
        rows = [Row(page.name) for page in SINGLE_PAGES]
        for _ in range(warmup):
            for page in SINGLE_PAGES:
                browsers[page.user].get_page(page.path)
        for _ in range(requests):
            for page, row in zip(SINGLE_PAGES, rows, strict=True):
                ms, body = browsers[page.user].get_page(page.path)
                row.samples.append(ms)
                row.kilobytes, row.summary = len(body) / 1024, list_summary(body)
        return rows
    finally:
        for browser in browsers.values():
            browser.close()


def measure_concurrent(port: int, clients: int, requests: int) -> tuple[list[Row], float, int]:
    """`clients` viewers released together, each `requests` requests alternating the pages.

    Returns a row per page plus one for all requests, the wall seconds from release to the last
    answer, and how many keep-alive connections had to be reopened.
    """
    barrier = threading.Barrier(clients + 1)  # + this thread, which starts the clock
    samples: list[list[tuple[str, float]]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    reconnects = [0] * clients

    def client(i: int) -> None:
        browser = Browser(port)
        try:
            try:
                browser.sign_in(VIEWER)
                for page in CONCURRENT_PAGES:
                    browser.get_page(page.path)  # warm-up: this connection's worker too
            except BaseException as exc:
                errors.append(exc)
                barrier.abort()
                return
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                return
            for k in range(requests):
                page = CONCURRENT_PAGES[(i + k) % len(CONCURRENT_PAGES)]
                samples[i].append((page.name, browser.get_page(page.path)[0]))
        except BaseException as exc:
            errors.append(exc)
        finally:
            reconnects[i] = browser.reconnects
            browser.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a client failed: see errors
        barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    rows = [Row(f"  {page.name}") for page in CONCURRENT_PAGES]
    total = Row(f"{clients} concurrent clients, all")
    for per_client in samples:
        for name, ms in per_client:
            next(row for row in rows if row.name.strip() == name).samples.append(ms)
            total.samples.append(ms)
    return [total, *rows], wall, sum(reconnects)


def print_table(title: str, rows: list[Row], goal_ms: float) -> None:
    print(f"\n{title}")
    print(f"{'page':<34}{'requests':>9}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}  goal")
    for row in rows:
        verdict = "met" if row.p95 < goal_ms else "NOT MET"
        print(
            f"{row.name:<34}{len(row.samples):>9}{row.median:>11.1f}{row.p95:>9.1f}"
            f"{max(row.samples):>9.1f}  p95 < {goal_ms:.0f} ms: {verdict}"
        )


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines (default 1e6)")
    parser.add_argument(
        "--requests", type=int, default=50, help="measured requests per page, and per concurrent "
        "client (default 50)",
    )  # fmt: skip
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per page first")
    parser.add_argument("--concurrency", type=int, default=10, help="concurrent clients")
    parser.add_argument(
        "--data-dir", type=Path, help="build the data here and keep it; reuse it if built already"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args(argv)
    if min(args.lines, args.requests, args.concurrency) < 1 or args.warmup < 0:
        parser.error("--lines, --requests and --concurrency must be at least 1, --warmup >= 0")

    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}; Python {platform.python_version()}"
    )
    temporary = args.data_dir is None
    data_dir = (
        Path(tempfile.mkdtemp(prefix="bench-dashboard-")) if temporary else args.data_dir.resolve()
    )
    server = None
    try:
        prepare(data_dir, args.lines)
        lines, size_mb = database_facts(data_dir)
        shown = f"{lines:,}" if lines is not None else "? (orders_orderline unreadable)"
        print(f"database: {shown} order lines, {size_mb:.0f} MB (SQLite, WAL)")

        server = Server(data_dir)
        with server:
            print(
                f"server: gunicorn {server.workers} workers x {server.threads} threads on "
                f"127.0.0.1:{server.port}, DEBUG=0"
            )
            single = measure_single(server.port, args.warmup, args.requests)
            concurrent, wall, reconnects = measure_concurrent(
                server.port, args.concurrency, args.requests
            )
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

    print_table(
        f"one client at a time ({args.warmup} warm-up requests per page, then "
        f"{args.requests} rounds over the pages)",
        single,
        SINGLE_GOAL_MS,
    )
    print_table(
        f"{args.concurrency} clients at once (client viewers, each {args.requests} requests "
        f"alternating dashboard and drill-down page 1)",
        concurrent,
        CONCURRENT_GOAL_MS,
    )
    total = concurrent[0]
    print(
        f"throughput: {len(total.samples) / wall:.1f} requests/s ({len(total.samples)} requests "
        f"in {wall:.1f} s; {reconnects} keep-alive connections reopened)"
    )
    for row in single:
        print(f"{row.name}: {row.kilobytes:.0f} KB" + (f", {row.summary}" if row.summary else ""))

    def worst_p95(kind: str) -> float:
        pairs = zip(single, SINGLE_PAGES, strict=True)
        return max(row.p95 for row, page in pairs if page.kind == kind)

    dashboard, drilldown = worst_p95("dashboard"), worst_p95("drill-down")
    board = worst_p95("board")
    single_met = max(dashboard, drilldown, board) < SINGLE_GOAL_MS
    concurrent_met = total.p95 < CONCURRENT_GOAL_MS
    print(
        f"\ngoal, one client: p95 under {SINGLE_GOAL_MS:.0f} ms on every page: "
        f"{'met' if single_met else 'NOT MET'}"
    )
    print(
        f"goal, {args.concurrency} concurrent clients: p95 under {CONCURRENT_GOAL_MS:.0f} ms: "
        f"{'met' if concurrent_met else 'NOT MET'}"
    )
    print(
        f"dashboard_p95_ms={dashboard:.1f} drilldown_p95_ms={drilldown:.1f} "
        f"board_p95_ms={board:.1f} concurrent_p95_ms={total.p95:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
