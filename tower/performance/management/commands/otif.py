"""tower otif: OTIF figures per group, at a grain, gross or net, from the command line."""

import polars as pl
from django.core.management.base import BaseCommand, CommandError

from tower.engine import DIMENSIONS, GRAINS, summarise
from tower.engine.summary import PERIOD_DIMENSIONS
from tower.output import FORMATS, write_frame
from tower.performance.cli import clients_for, date_option, month_option
from tower.performance.queries import figures_frame, stored_as_of

SHOWN = ["count", "on_time_pct", "in_full_pct", "otif_pct", "failed", "pending", "excluded"]
JSON_EXTRA = [
    "grain",
    "line_fill_rate_pct",
    "volume_fill_rate_pct",
    "dpmo",
    "sigma",
    "due_fallback",
]


class Command(BaseCommand):
    help = (
        "OTIF figures: on-time %, in-full % and OTIF % per group. Without --as-of the stored "
        "outcomes are read (see `tower recompute`); with it, lines are evaluated as of that date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--client", help="Only this client (default: all)")
        parser.add_argument(
            "--by", default="", help=f"Comma-separated dimensions: {', '.join(DIMENSIONS)}"
        )
        parser.add_argument(
            "--grain", choices=GRAINS, default="line", help="What one unit is [line]"
        )
        parser.add_argument(
            "--from", dest="start", type=month_option, help="First due month, YYYY-MM"
        )
        parser.add_argument("--to", dest="end", type=month_option, help="Last due month, YYYY-MM")
        parser.add_argument("--as-of", type=date_option, help="Evaluate as of YYYY-MM-DD")
        basis = parser.add_mutually_exclusive_group()
        basis.add_argument("--gross", action="store_true", help="Every failure counts (default)")
        basis.add_argument(
            "--net",
            action="store_true",
            help="Failures with an approved non-CMO root cause count as met",
        )
        parser.add_argument("--format", choices=FORMATS, default="table")

    def handle(self, *args, **options):
        by = [d.strip() for d in options["by"].split(",") if d.strip()]
        unknown = [d for d in by if d not in DIMENSIONS]
        if unknown:
            raise CommandError(
                f"unknown dimension(s) {', '.join(unknown)}; choose from {', '.join(DIMENSIONS)}"
            )
        start, end = options["start"], options["end"]
        if start and end and start > end:
            raise CommandError("--from must not be after --to")
        clients = clients_for(options["client"])
        frame = figures_frame(clients, options["as_of"])
        if start:
            frame = frame.filter(pl.col("period") >= start)
        if end:
            frame = frame.filter(pl.col("period") <= end)
        figures = summarise(frame, by=by, grain=options["grain"], net=options["net"])
        figures = with_definitions(figures, frame, by)

        fmt = options["format"]
        columns = by + SHOWN + (JSON_EXTRA + ["definitions"] if fmt != "table" else [])
        if fmt == "csv":
            figures = figures.with_columns(pl.col("definitions").list.join("; "))
        basis = "net" if options["net"] else "gross"
        as_of = options["as_of"] or stored_as_of(clients)
        used = sorted(set(frame["definition"].unique().drop_nulls().to_list()))
        title = (
            f"OTIF ({basis}, {options['grain']} grain) as of {as_of or 'never computed'}; "
            f"definitions: {', '.join(used) or 'none'}"
        )
        write_frame(figures.select(columns), fmt, self.stdout, title=title)


def with_definitions(figures: pl.DataFrame, frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Each figure names the definition versions it was computed with (kpis.md), e.g. ACME v2."""
    labelled = frame.with_columns(
        fn(pl.col("period")).alias(name) for name, fn in PERIOD_DIMENSIONS.items() if name in by
    )
    used = pl.col("definition").drop_nulls().unique().sort()
    if not by:
        return figures.with_columns(
            pl.Series("definitions", [labelled.select(used.implode()).item()])
        )
    per_group = labelled.group_by(by).agg(used.alias("definitions"))
    return figures.join(per_group, on=by, how="left", nulls_equal=True)
