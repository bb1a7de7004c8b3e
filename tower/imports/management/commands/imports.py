"""tower imports [--limit N] [--format table|csv|json]: the import log, newest first.

The counts are of the import's records: order lines, batches, deviations, ... (see `kind`).
"""

import polars as pl
from django.core.management.base import BaseCommand

from tower.imports.models import ImportLog
from tower.output import FORMATS, write_frame

COLUMNS = {
    "started_at": pl.String,
    "kind": pl.String,
    "file_name": pl.String,
    "file_sha256": pl.String,
    "actor": pl.String,
    "client_codes": pl.String,
    "outcome": pl.String,
    "rows": pl.Int64,
    "errors": pl.Int64,
    "records_created": pl.Int64,
    "records_updated": pl.Int64,
    "records_unchanged": pl.Int64,
    "deliveries_written": pl.Int64,
}
# The table shows the SHA-256's first 12 hex digits (as git shortens commits: enough to tell two
# files apart by eye); csv and json give all 64. File names are never cut, they fold.
SHA_SHOWN = 12
SHORT = [
    "started_at",
    "kind",
    "file_name",
    "sha256",
    "actor",
    "outcome",
    "rows",
    "errors",
    "records_created",
    "records_updated",
]


class Command(BaseCommand):
    help = "Show the import log: who imported which file when, its SHA-256 and what it changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=20, help="How many imports, newest first [20]"
        )
        parser.add_argument("--format", choices=FORMATS, default="table")

    def handle(self, *args, **options):
        logs = ImportLog.objects.order_by("-started_at")[: max(options["limit"], 0)]
        rows = [
            {
                **{c: getattr(log, c) for c in COLUMNS},
                "started_at": log.started_at.isoformat(timespec="seconds"),
            }
            for log in logs
        ]
        frame = pl.DataFrame(rows, schema=COLUMNS)
        if options["format"] == "table":
            if frame.is_empty():
                self.stdout.write("No imports yet.")
                return
            frame = frame.with_columns(
                sha256=pl.col("file_sha256").str.slice(0, SHA_SHOWN) + pl.lit("…")
            ).select(SHORT)
        write_frame(
            frame,
            options["format"],
            self.stdout,
            title="Imports (newest first)",
            whole=["file_name", "sha256"],
        )
