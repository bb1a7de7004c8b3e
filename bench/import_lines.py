"""Benchmark: a full `tower import lines` of a generated CSV vs a bare sqlite3 executemany.

    .venv/bin/python -m bench.import_lines --lines 1000000

Both run on a fresh SQLite file in WAL mode with synchronous=NORMAL (the product's settings).
The import is timed as the user runs it: the `tower` process from start to exit, which reads and
validates the whole file, creates master data, writes orders, lines and deliveries, and
evaluates and stores every line's OTIF outcome and the monthly figures. The reference inserts the
same CSV rows (already in memory) into one table with sqlite3's executemany and commits.
Last line: import_s=... bare_insert_s=... ratio=...
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from bench.generate import generate_frames

ROOT = Path(__file__).resolve().parent.parent
TOWER = ROOT / ".venv" / "bin" / "tower"


def flat_file(n_lines: int, folder: Path) -> tuple[Path, pl.DataFrame]:
    """The generator's lines and deliveries as one import file: a row per delivery."""
    lines, deliveries = generate_frames(n_lines)
    sites = pl.Series(["EU-OSD", "US-STERILE", "IN-PACK"])
    products = lines.select(
        "line_id",
        pl.lit("BENCH").alias("client"),
        ("SO-" + pl.col("order_key").cast(pl.String)).alias("order"),
        pl.col("line_id").cast(pl.String).alias("line"),
        ("P-" + (pl.col("line_id").hash(3) % 400).cast(pl.String)).alias("product"),
        pl.col("line_id").mod(3).replace_strict([0, 1, 2], sites.to_list()).alias("site"),
        "ordered_qty",
        "line_value",
        "requested_date",
        "first_committed_date",
        "committed_date",
        "status",
    )
    rows = products.join(deliveries, on="line_id", how="left").select(
        pl.exclude("line_id", "quantity"), pl.col("quantity").alias("delivered_qty")
    )
    path = folder / "lines.csv"
    rows.write_csv(path, date_format="%Y-%m-%d")
    return path, rows


def time_import(path: Path, folder: Path) -> float:
    env = {**os.environ, "TOWER_DATA_DIR": str(folder / "tower"), "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    subprocess.run([str(TOWER), "migrate", "-v0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run(
        [str(TOWER), "import", "lines", str(path), "--create-missing"], env=env, check=True
    )
    return time.perf_counter() - started


def time_bare_insert(rows: pl.DataFrame, folder: Path) -> float:
    data = rows.with_columns(
        pl.col(c).dt.strftime("%Y-%m-%d") for c, t in rows.schema.items() if t == pl.Date
    )
    values = list(data.iter_rows())
    connection = sqlite3.connect(folder / "bare.sqlite3")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    columns = ", ".join(f'"{c}"' for c in data.columns)
    connection.execute(f"CREATE TABLE lines (id INTEGER PRIMARY KEY, {columns})")
    marks = ", ".join("?" * data.width)
    started = time.perf_counter()
    connection.executemany(f"INSERT INTO lines ({columns}) VALUES ({marks})", values)
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        path, rows = flat_file(args.lines, folder)
        size_mb = path.stat().st_size / 1e6
        print(
            f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(f"file: {args.lines:,} lines, {rows.height:,} rows, {size_mb:.0f} MB")
        bare = time_bare_insert(rows, folder)
        print(f"bare sqlite3 executemany of the rows: {bare:.2f} s")
        full = time_import(path, folder)
        print(f"tower import lines (whole process):   {full:.2f} s")
    print(f"import_s={full:.3f} bare_insert_s={bare:.3f} ratio={full / bare:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
