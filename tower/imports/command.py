"""The management command behind every `tower import KIND FILE`: options and output written once.

    tower import KIND FILE [--client CODE] [--mapping MAP.toml] [--date-format FMT]
                           [--create-missing] [--dry-run] [--errors-to FILE.csv]

A subclass says what the file holds and which import function runs (RecordImportCommand: which
kind of tower.imports.pipeline, whose fields a mapping may name); this class reads the mapping, draws the progress bar, prints the first errors as a table
(all of them with --errors-to) and exits non-zero when errors kept the file from being written.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Sequence
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tower.csv_safe import neutralise_frame
from tower.imports.pipeline import ImportKind, steps
from tower.imports.report import ImportReport, log_file_error
from tower.ingest import ImportFileError, Mapping, load_mapping, with_date_format
from tower.output import stepped_progress, write_frame
from tower.tenancy.scoping import SYSTEM

SHOWN_ERRORS = 20
GUARANTEES = (
    "The whole file is validated first; on any error nothing is written and every bad row is "
    "reported. Re-importing the same file changes nothing."
)


class ImportCommand(BaseCommand):
    about: str  # what the file holds; `help` adds the guarantees every import gives
    kind: str  # ImportLog.kind: "lines", "batches", ...
    fields: Sequence[str]  # what a mapping's [columns] may name
    steps: int  # progress stages the import function reports
    # The import, as staticmethod(f): f takes the keyword arguments of
    # tower.imports.lines.import_lines and returns its ImportReport.
    importer: Callable[..., ImportReport]

    @property
    def help(self) -> str:
        return f"{self.about} {GUARANTEES}"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV or XLSX file")
        parser.add_argument("--client", help="Client code for files without a client column")
        self.add_mapping_arguments(parser)
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

    def add_mapping_arguments(self, parser):
        parser.add_argument(
            "--mapping",
            type=Path,
            help=(
                'Mapping TOML: [columns] field = "Header", optional [file] sheet, date_format, '
                f"delimiter, encoding. Fields: {', '.join(self.fields)}"
            ),
        )

    def mapping(self, options) -> Mapping | None:
        """The mapping the options name (ImportFileError when it is wrong), or None."""
        return load_mapping(options["mapping"], fields=self.fields) if options["mapping"] else None

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            self.log_refused(path, options)
            raise CommandError(f"{path}: no such file")
        try:
            mapping = self.mapping(options)
            if options["date_format"]:
                mapping = with_date_format(mapping or Mapping(), options["date_format"])
        except ImportFileError as exc:
            self.log_refused(path, options)
            raise CommandError(str(exc)) from exc
        try:
            # The import function logs a file it refuses as a whole itself.
            with stepped_progress(self.stderr, self.steps) as advance:
                report = self.importer(
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
            self.fail_with_errors(report, options["errors_to"])
        for note in report.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write(report.summary())

    def log_refused(self, path: Path, options) -> None:
        """Every rejected import is logged, also one refused before its file was opened."""
        log_file_error(
            kind=self.kind,
            path=path,
            actor=f"cli:{getpass.getuser()}",
            client_code=options["client"],
        )

    def fail_with_errors(self, report: ImportReport, errors_to: Path | None) -> None:
        """Show the first errors, write them all with --errors-to, and exit non-zero."""
        if errors_to:
            # The report quotes the file's cells, formulas included (tower.csv_safe).
            neutralise_frame(report.errors).write_csv(errors_to)
        shown = report.errors.head(SHOWN_ERRORS)
        write_frame(
            shown,
            "table",
            self.stderr,
            title=f"Errors (first {shown.height} of {report.errors.height})",
        )
        where = (
            f" Full report: {errors_to}."
            if errors_to
            else " Use --errors-to FILE.csv for the full report."
        )
        raise CommandError(report.summary() + where)


class RecordImportCommand(ImportCommand):
    """`tower import KIND` for a kind of the import pipeline (tower.imports.kinds, order lines)."""

    record_kind: ImportKind

    @property
    def fields(self) -> Sequence[str]:
        return self.record_kind.fields

    @property
    def kind(self) -> str:
        return self.record_kind.name

    @property
    def steps(self) -> int:
        return steps(self.record_kind)
