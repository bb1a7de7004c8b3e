"""The one import pipeline: every kind's file goes through the same sequence of steps.

    read (size checks)  ->  validate every row  ->  check text lengths  ->  resolve codes
    ->  [any error: log REJECTED, write nothing]  ->  in one transaction: lock the clients,
    create --create-missing master data, compare with the stored rows, write what changed,
    refresh what depends on it, log APPLIED  (a dry run rolls back and logs DRY_RUN)

`import_file(kind, ...)` runs it; a kind (ImportKind) supplies only what is its own: which
fields a mapping may name, how rows are validated (tower.ingest), which codes and references
it resolves, how it compares with and writes to its tables, and its progress labels. The
declared record kinds (batches, deviations, ...) are tower.imports.records.RecordKind; order
lines, with their deliveries, orders and delivery-id rules, are tower.imports.lines.LineKind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import polars as pl
from django.db import transaction
from django.utils import timezone

from tower.imports.models import ImportLog
from tower.imports.references import MasterData
from tower.imports.refresh import refresh_after_import
from tower.imports.report import (
    ImportReport,
    LogContext,
    Progress,
    logs_file_errors,
    read_import_file,
    write_log,
)
from tower.ingest import Mapping
from tower.ingest.errors import combine_errors
from tower.ingest.text import text_errors

# The engine's inputs of one client as the import will leave them: (lines, deliveries).
EngineInputs = Callable[[int], tuple[pl.DataFrame, pl.DataFrame]]


class Changes(Protocol):
    """What a kind's comparison found, ready to write (inside the import's transaction)."""

    created: int
    updated: int
    unchanged: int
    deliveries_written: int  # order lines' second table (read when the kind counts it)
    touched_client_ids: list[int]  # clients with anything written: refreshed afterwards
    engine_inputs: EngineInputs | None  # order lines: outcomes need no read-back

    def write(self, *, user, reason: str) -> None: ...


class ImportKind(Protocol):
    """What one kind of import declares; the sequence itself is import_file's."""

    name: str  # ImportLog.kind and `tower import NAME`: "lines", "batches"
    noun: str  # the records in summaries, plural: "lines", "plan weeks"
    noun_one: str  # one of them: "line", "plan week"
    fields: Sequence[str]  # what a mapping's [columns] may name
    resolve_label: str  # progress label of the resolve stage
    write_label: str  # progress label of the write stage
    refresh_label: str  # progress label of the refresh after writing; "" when it has none
    counts_deliveries: bool  # the report counts deliveries written (order lines)

    def parse(self, table: pl.DataFrame, mapping: Mapping, *, default_client: str | None) -> Any:
        """The validated file (tower.ingest): `.rows` and `.errors` at least."""

    def client_codes(self, parsed: Any) -> list[str]:
        """The client codes the file names, for the log."""

    def lengths(self) -> dict[str, int | None]:
        """Text field -> its column's length (tower.imports.limits)."""

    def master_data(self, parsed: Any) -> pl.DataFrame:
        """The rows whose client, site and product codes MasterData resolves ("row" first)."""

    def resolve(
        self, parsed: Any, master: MasterData, labels: dict[str, str]
    ) -> tuple[Any, pl.DataFrame]:
        """The records with their references resolved, and every reference error (master
        data's included)."""

    def compare(
        self, parsed: Any, resolved: Any, master: MasterData, mapping: Mapping
    ) -> Changes: ...


def steps(kind: ImportKind) -> int:
    """Progress stages: read, validate, resolve, compare, write (and the refresh)."""
    return 5 + bool(kind.refresh_label)


@logs_file_errors(lambda kind, **_: kind.name)
def import_file(
    kind: ImportKind,
    *,
    path: Path,
    actor: str,
    principal,
    user=None,
    client_code: str | None = None,
    mapping: Mapping | None = None,
    create_missing: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV or XLSX file of `kind`.

    `principal` is who the import runs for (tower.tenancy.scoping): clients it may not see are
    treated as unknown; `actor` names them in the log, `user` is the Django user when there is
    one. Raises ImportFileError for a file that cannot be read at all; row-level problems come
    back in `report.errors` with nothing written.
    """
    step = progress or (lambda _label: None)
    path = Path(path)
    started = timezone.now()
    report = ImportReport(
        kind=kind.name,
        file_name=path.name,
        noun=kind.noun,
        noun_one=kind.noun_one,
        dry_run=dry_run,
        deliveries_written=0 if kind.counts_deliveries else None,
    )

    step("Reading the file")
    table, mapping, sha = read_import_file(path, mapping, kind.fields)
    step("Validating every row")
    parsed = kind.parse(table, mapping, default_client=client_code)
    report.rows = parsed.rows
    context = LogContext(path, sha, mapping, actor, user, started)
    client_codes = kind.client_codes(parsed)
    # Text that cannot be stored (too long, NUL) must not reach a query: checked first.
    bad_text = text_errors(table, mapping, kind.lengths())
    if not bad_text.is_empty():
        report.errors = combine_errors([parsed.errors, bad_text])
        report.log = write_log(report, context, ImportLog.Outcome.REJECTED, client_codes)
        return report

    step(kind.resolve_label)
    labels = {f: mapping.columns.get(f, f) for f in kind.fields}
    master = MasterData(
        kind.master_data(parsed),
        principal=principal,
        create_missing=create_missing,
        labels=labels,
    )
    resolved, reference_errors = kind.resolve(parsed, master, labels)
    report.errors = combine_errors([parsed.errors, reference_errors])
    report.created = master.to_create()
    if not report.ok:
        report.log = write_log(report, context, ImportLog.Outcome.REJECTED, client_codes)
        return report

    step("Comparing with the database")
    with transaction.atomic():
        # Serialised per client: a concurrent import of the same client waits here, then
        # compares with what the first one wrote.
        master.lock()
        master.create()
        changes = kind.compare(parsed, resolved, master, mapping)
        report.records_created = changes.created
        report.records_updated = changes.updated
        report.records_unchanged = changes.unchanged
        if kind.counts_deliveries:
            report.deliveries_written = changes.deliveries_written
        if dry_run:
            transaction.set_rollback(True)
        else:
            step(kind.write_label)
            changes.write(user=user, reason=f"imported from {path.name}")
            if kind.refresh_label:
                step(kind.refresh_label)
            refreshed = refresh_after_import(
                kind.name,
                master.clients(changes.touched_client_ids),
                inputs=changes.engine_inputs,
            )
            report.refreshed.extend(refreshed.outcomes)
            report.notes.extend(refreshed.notes)
            # Logged in the same transaction: an applied import is never left unrecorded.
            report.log = write_log(report, context, ImportLog.Outcome.APPLIED, client_codes)
    if dry_run:
        report.log = write_log(report, context, ImportLog.Outcome.DRY_RUN, client_codes)
    return report
