"""What every import shares: reading the file, the report it returns and the log it writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
from django.utils import timezone

from tower.ingest import ROW, Mapping, default_mapping, file_sha256, read_table
from tower.ingest.errors import ROW_ERROR_SCHEMA
from tower.orders.models import ImportLog

# Called with a label as each stage starts. Stages are columnar over all rows, so they are the
# honest unit of progress (tower.output.stepped_progress draws them).
Progress = Callable[[str], None]


@dataclass
class ImportReport:
    kind: str  # what was imported: "lines", "batches", ... (ImportLog.kind)
    file_name: str
    noun: str = "records"  # the records in the summary, plural: "lines", "batches"
    noun_one: str = "record"  # and one of them: "line", "batch"
    rows: int = 0
    errors: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ROW_ERROR_SCHEMA))
    records_created: int = 0
    records_updated: int = 0
    records_unchanged: int = 0
    deliveries_written: int | None = None  # order lines only
    created: dict[str, list[str]] = field(default_factory=dict)  # master data, e.g. "sites"
    dry_run: bool = False
    refreshed: list = field(default_factory=list)  # order lines: RefreshResult per client
    notes: list[str] = field(default_factory=list)  # follow-up work done, one sentence each
    log: ImportLog | None = None

    @property
    def ok(self) -> bool:
        return self.errors.is_empty()

    def summary(self) -> str:
        rows = counted(self.rows, "row")
        if not self.ok:
            return (
                f"{self.file_name}: {self.errors.height} error(s) in {rows}; nothing was written."
            )
        created, updated = (
            ("would create", "would update") if self.dry_run else ("created", "updated")
        )
        records = counted(self.records_created, self.noun_one, self.noun)
        text = (
            f"{self.file_name}: {rows}; {created} {records}, "
            f"{updated} {self.records_updated}, {self.records_unchanged} unchanged"
        )
        if self.deliveries_written is not None:
            deliveries = counted(self.deliveries_written, "delivery", "deliveries")
            text += f"; {deliveries} {'to write' if self.dry_run else 'written'}"
        made = ", ".join(
            counted(len(codes), kind.removesuffix("s"), kind)
            for kind, codes in self.created.items()
            if codes
        )
        if made:
            text += f"; {created} {made}"
        return text + (" (dry run: nothing written)." if self.dry_run else ".")


def counted(number: int, one: str, many: str | None = None) -> str:
    """ "1 batch", "2 batches" (`many` defaults to `one` + "s")."""
    return f"{number} {one if number == 1 else many or one + 's'}"


def read_import_file(
    path: Path, mapping: Mapping | None, fields: Sequence[str]
) -> tuple[pl.DataFrame, Mapping, str]:
    """The file as an all-text table, the mapping to read it with, and the file's SHA-256.

    Without [columns], headers named like the fields are used as they are; file options stay.
    """
    sha = file_sha256(path)
    mapping = mapping or Mapping()
    table = read_table(path, mapping)
    if not mapping.columns:
        headers = [c for c in table.columns if c != ROW]
        mapping = replace(mapping, columns=default_mapping(headers, fields).columns)
    return table, mapping, sha


@dataclass(frozen=True)
class LogContext:
    """Who imported which file when: what the log row needs besides the report."""

    path: Path
    sha: str
    mapping: Mapping
    actor: str
    user: object | None
    started: dt.datetime


def write_log(
    report: ImportReport, context: LogContext, outcome: str, client_codes: Sequence[str]
) -> ImportLog:
    return ImportLog.objects.create(
        kind=report.kind,
        user=context.user,
        actor=context.actor,
        started_at=context.started,
        finished_at=timezone.now(),
        file_name=context.path.name,
        file_sha256=context.sha,
        mapping=context.mapping.name or "",
        client_codes=",".join(sorted({c for c in client_codes if c}))[:500],
        outcome=outcome,
        rows=report.rows,
        errors=report.errors.height,
        records_created=report.records_created,
        records_updated=report.records_updated,
        records_unchanged=report.records_unchanged,
        deliveries_written=report.deliveries_written or 0,
        created_masterdata=report.created if report.ok else {},
    )
