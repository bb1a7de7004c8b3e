"""Printing frames from commands: a readable table, CSV or JSON (one object per row)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

import polars as pl
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tower.csv_safe import neutralise_frame

FORMATS = ("table", "csv", "json")


def write_frame(
    frame: pl.DataFrame,
    fmt: str,
    stream: TextIO,
    *,
    title: str | None = None,
    whole: Sequence[str] = (),
) -> None:
    """`whole`: table columns never cut short (a file name folds onto a second line instead)."""
    if fmt == "json":
        stream.write(json.dumps(frame.to_dicts(), default=_json_default, indent=2) + "\n")
    elif fmt == "csv":
        # Cells a spreadsheet would run as formulas are neutralised (tower.csv_safe).
        stream.write(neutralise_frame(frame).write_csv(date_format="%Y-%m-%d"))
    else:
        table = Table(title=title, show_lines=False, header_style="bold")
        for name, dtype in frame.schema.items():
            table.add_column(
                name,
                justify="right" if dtype.is_numeric() else "left",
                overflow="fold" if name in whole else "ellipsis",
            )
        for row in frame.iter_rows():
            table.add_row(*(_cell(v) for v in row))
        # Wide enough that the `whole` columns fit on one line (a terminal scrolls sideways).
        room = sum(max((len(_cell(v)) for v in frame[c]), default=0) for c in whole)
        Console(file=stream, width=max(100, 14 * frame.width + room)).print(table)


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _json_default(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


@contextmanager
def stepped_progress(stream: TextIO, steps: int) -> Iterator[Callable[[str], None]]:
    """A progress bar that advances one step per stage of a long job (each stage is columnar
    over all rows, so stages are the honest unit); yields `advance(label)`."""
    bar = Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(file=stream),
        transient=True,
    )
    with bar:
        task = bar.add_task("Starting", total=steps)
        yield lambda label: bar.update(task, description=label, advance=1)
