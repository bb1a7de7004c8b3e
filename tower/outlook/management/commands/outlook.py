"""tower outlook [--client CODE] [--as-of DATE] [--risk late,tight,...] [--format table|csv|json]:
the open lines' projection (kpis.md 8), most urgent first."""

from __future__ import annotations

import json

import polars as pl
from django.core.management.base import BaseCommand, CommandError

from tower.engine.projection import RISKS, chain
from tower.outlook.queries import line_names, project_client, stored_projection
from tower.output import FORMATS, write_frame
from tower.performance.cli import clients_for, date_option

COLUMNS = [
    "client",
    "order",
    "line",
    "product",
    "due_date",
    "projected_date",
    "risk",
    "projected_days_late",
    "cause_milestone",
    "cause_area",
    "stock_out_from",
]


def risk_option(text: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [r for r in chosen if r not in RISKS]
    if unknown or not chosen:
        raise CommandError(
            f"unknown risk {', '.join(unknown) or repr(text)}; choose among {', '.join(RISKS)} "
            "(comma-separated, e.g. --risk late,tight)"
        )
    return chosen


class Command(BaseCommand):
    help = (
        "Print every open line's projected date, risk and cause (kpis.md 8), most urgent "
        "first: the stored projection, or one evaluated fresh --as-of a date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--client", help="Only this client (default: all)")
        parser.add_argument(
            "--as-of", type=date_option, help="Project as of YYYY-MM-DD (default: the stored one)"
        )
        parser.add_argument("--risk", help=f"Only these risks, comma-separated: {', '.join(RISKS)}")
        parser.add_argument("--format", choices=FORMATS, default="table")

    def handle(self, *args, **options):
        risks = risk_option(options["risk"]) if options["risk"] is not None else None
        frames = []
        for client in clients_for(options["client"]):
            if options["as_of"] is not None:
                projection = project_client(client, options["as_of"])
            else:
                projection = stored_projection(client)
            frames.append(projection.join(line_names(client), on="line_id", how="left"))
        frame = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
        if frame.is_empty():
            frame = pl.DataFrame(schema={c: pl.String for c in COLUMNS})
        else:
            if risks is not None:
                frame = frame.filter(pl.col("risk").is_in(risks))
            frame = frame.sort("rank", "rank_key", "client", "order", "line")
        if options["format"] == "json":
            rows = [
                {**{c: row[c] for c in COLUMNS}, "milestones": milestones(row)}
                for row in frame.to_dicts()
            ]
            self.stdout.write(json.dumps(rows, default=str, indent=2) + "\n")
            return
        write_frame(frame.select(COLUMNS), options["format"], self.stdout, title="Outlook")


def milestones(row: dict) -> list[dict]:
    return [
        {k: step[k] for k in ("name", "planned", "actual", "projected", "slip_days")}
        for step in chain(row)
    ]
