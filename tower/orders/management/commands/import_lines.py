"""tower import lines FILE [--client CODE] [--mapping MAP.toml | --profile NAME]
[--date-format FMT] [--create-missing]
[--dry-run] [--errors-to FILE.csv]"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tower.ingest import (
    ImportFileError,
    Mapping,
    available_profiles,
    load_mapping,
    load_profile,
    with_date_format,
)
from tower.orders.services import import_lines
from tower.output import stepped_progress, write_frame
from tower.tenancy.scoping import SYSTEM

STEPS = 6
SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import order lines and deliveries from a CSV or XLSX export. The whole file is validated "
        "first; on any error nothing is written and every bad row is reported. Re-importing the "
        "same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV or XLSX file")
        parser.add_argument("--client", help="Client code for files without a client column")
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--mapping", type=Path, help='Mapping TOML: [columns] field = "Header", optional [file]'
        )
        source.add_argument(
            "--profile", help=f"Built-in mapping profile: {', '.join(available_profiles())}"
        )
        parser.add_argument(
            "--date-format",
            help='Day/month order of the file\'s dates, e.g. "%%d/%%m/%%Y" (overrides the mapping)',
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create unknown clients, sites and products",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and report what would change; write nothing",
        )
        parser.add_argument(
            "--errors-to", type=Path, help="Write the row-level error report to this CSV file"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            mapping = None
            if options["mapping"]:
                mapping = load_mapping(options["mapping"])
            elif options["profile"]:
                mapping = load_profile(options["profile"])
            if options["date_format"]:
                mapping = with_date_format(mapping or Mapping(), options["date_format"])
            with stepped_progress(self.stderr, STEPS) as advance:
                report = import_lines(
                    path=path,
                    actor=f"cli:{getpass.getuser()}",
                    principal=SYSTEM,
                    client_code=options["client"],
                    mapping=mapping,
                    create_missing=options["create_missing"],
                    dry_run=options["dry_run"],
                    progress=advance,
                )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc

        if not report.ok:
            if options["errors_to"]:
                report.errors.write_csv(options["errors_to"])
            shown = report.errors.head(SHOWN_ERRORS)
            write_frame(
                shown,
                "table",
                self.stderr,
                title=f"Errors (first {shown.height} of {report.errors.height})",
            )
            where = (
                f" Full report: {options['errors_to']}."
                if options["errors_to"]
                else " Use --errors-to FILE.csv for the full report."
            )
            raise CommandError(report.summary() + where)
        for refreshed in report.refreshed:
            self.stdout.write(
                f"  {refreshed.client}: outcomes as of {refreshed.as_of} with definition "
                f"v{refreshed.definition_version}: {refreshed.outcomes_written} of {refreshed.lines} lines changed"
            )
        self.stdout.write(report.summary())
