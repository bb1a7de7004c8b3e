"""tower scorecard: a client's scorecard for a quarter or a month, on screen or as a file."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from tower.actions.models import Status
from tower.engine.kpi_catalogue import format_value
from tower.engine.periods import OutOfRange, Period, last_complete_quarter, parse_period
from tower.performance.cli import clients_for, date_option
from tower.scorecards.exports import FORMATS, common, file_name, render
from tower.scorecards.scorecard import (
    KpiResult,
    Scorecard,
    build_scorecard,
)

TABLE = "table"
STATUS_STYLES = {"green": "green", "amber": "yellow", "red": "red", "no_data": "dim"}


def quarter_option(text: str) -> Period:
    return _period_option(text, "quarter", "write it as 2026Q3")


def month_option(text: str) -> Period:
    return _period_option(text, "month", "write it as 2026-07")


def _period_option(text: str, kind: str, hint: str) -> Period:
    try:
        period = parse_period(text)
    except OutOfRange as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    except ValueError:
        period = None
    if period is None or period.kind != kind:
        raise argparse.ArgumentTypeError(f"{text!r} is not a {kind}: {hint}")
    return period


class Command(BaseCommand):
    help = (
        "A client's scorecard for a quarter or a month (default: the last complete quarter): a "
        "table on screen, or the PDF report, PowerPoint deck, XLSX workbook or JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("client", help="Client code, e.g. ACME")
        period = parser.add_mutually_exclusive_group()
        period.add_argument("--quarter", type=quarter_option, help="A quarter, e.g. 2026Q3")
        period.add_argument("--month", type=month_option, help="A month, e.g. 2026-07")
        parser.add_argument("--as-of", type=date_option, help="Figures as of YYYY-MM-DD [today]")
        parser.add_argument(
            "--format",
            choices=[*FORMATS, TABLE],
            help="What to write [the --output file's extension; json for '--output -'; "
            "a table on screen without --output]",
        )
        parser.add_argument(
            "--output",
            help="The file to write [scorecard-CLIENT-PERIOD.FORMAT]; '-' for standard output "
            "(json and table only)",
        )

    def handle(self, *args, **options):
        output = options["output"]
        fmt = _format(options["format"], output)
        [client] = clients_for(options["client"])
        period = (
            options["quarter"] or options["month"] or last_complete_quarter(timezone.localdate())
        )
        card = build_scorecard(client, period, as_of=options["as_of"])

        if fmt == TABLE and output in (None, "-"):
            write_table(card, self.stdout)  # sized to the terminal
            return
        content = _table_text(card).encode() if fmt == TABLE else render(card, fmt).content
        if output == "-":
            self.stdout.write(content.decode(), ending="\n")
            return
        path = Path(output or file_name(card, fmt))
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}") from None
        self.stdout.write(
            f"Wrote {path} ({_size(len(content))}): {common.heading(card)}, "
            f"figures as of {card.as_of.isoformat()}"
        )


def _format(chosen: str | None, output: str | None) -> str:
    if output == "-":
        fmt = chosen or "json"
        if fmt not in ("json", TABLE):
            raise CommandError(f"a {fmt} file cannot go to standard output: give --output FILE")
        return fmt
    suffix = Path(output).suffix.lstrip(".").lower() if output else ""
    if chosen and output:
        # A deck named y.pdf opens in nothing: the name and the content must agree.
        wrong = suffix in FORMATS if chosen == TABLE else suffix != chosen
        if wrong:
            expected = "a text file such as .txt" if chosen == TABLE else f".{chosen}"
            raise CommandError(
                f"--format {chosen} does not match the file name {output!r}: name it {expected}, "
                "or leave out --format and the extension decides"
            )
    if chosen:
        return chosen
    if output is None:
        return TABLE
    if suffix not in FORMATS:
        raise CommandError(
            f"cannot tell the format from {output!r}: give --format ({', '.join(FORMATS)})"
        )
    return suffix


def _size(count: int) -> str:
    return f"{count / 1024:,.0f} KB" if count >= 1024 else f"{count} bytes"


def _table_text(card: Scorecard) -> str:
    text = io.StringIO()
    write_table(card, text)
    return text.getvalue()


def write_table(card: Scorecard, stream) -> None:
    """Every KPI with value, target, status, trend and basis, then the rest of the review."""
    trend = common.trend_periods(card)
    table = Table(
        title=f"{common.heading(card)} · figures as of {card.as_of.isoformat()}",
        header_style="bold",
    )
    table.add_column("KPI", no_wrap=True)
    table.add_column("Value", justify="right")
    table.add_column("Target", justify="right")
    table.add_column("Status", no_wrap=True)
    table.add_column(f"{trend[0][1]} … {trend[-1][1]}" if trend else "Trend", style="dim")
    table.add_column("Basis", min_width=20)
    for group, results in card.groups():
        table.add_row(f"[bold]{group}[/]")
        for index, result in enumerate(results):
            table.add_row(
                f"  {result.name}",
                result.display,
                common.target_text(result),
                f"[{STATUS_STYLES.get(result.status, 'dim')}]"
                f"{common.status_word(result.status)}[/]",
                _trend_text(result),
                result.basis,
                end_section=index == len(results) - 1,
            )
    # A terminal's own width; a file or a pipe gets lines long enough not to wrap the figures.
    console = Console(file=stream, width=None if stream.isatty() else 180)
    console.print(table)
    for line in _review_lines(card):
        console.print(line, highlight=False)
    if common.any_default_target(card.kpis):
        console.print(common.DEFAULT_TARGET_NOTE, style="dim", highlight=False)


def _trend_text(result: KpiResult) -> str:
    """'83.5  87.1  –  88.1': the previous periods' values, oldest first, in the KPI's unit."""
    return "  ".join(
        "–" if p.value is None else format_value(p.value, result.unit).split(" ", 1)[0]
        for p in result.trend
    )


def _review_lines(card: Scorecard) -> list[str]:
    survey = card.survey
    open_actions = sum(1 for a in card.actions if a.status == Status.OPEN)
    caused = sum(1 for s in card.stock_outs if s.cmo_caused)
    undetermined = sum(1 for s in card.stock_outs if s.attribution == "undetermined")
    return [
        f"Survey: {common.plural(survey.responses, 'response')}, mean rating "
        f"{format_value(survey.mean, 'of 5')}",
        f"Agreed actions: {len(card.actions)} ({open_actions} open)",
        f"Stock-outs: {len(card.stock_outs)} ({caused} caused by the CMO, "
        f"{undetermined} undetermined)",
        "Penalty exposure: " + (" + ".join(common.penalty_totals(card)) or "none"),
        *(f"{note}." for note in card.unfrozen),
    ]
