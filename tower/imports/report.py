"""What every import shares: reading the file, the report it returns and the log it writes."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
from django.utils import timezone

from tower.imports.models import ImportLog
from tower.ingest import ROW, ImportFileError, Mapping, default_mapping, file_sha256, read_table
from tower.ingest.errors import ROW_ERROR_SCHEMA
from tower.ingest.limits import CONTROL_CHARACTERS
from tower.tenancy.models import Client

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
    # A rejected file's codes may be anything (too long, a NUL byte): the log keeps the ones
    # that are codes at all, and never fails on what it records.
    codes = sorted({c for c in client_codes if c and _fits(c, _CLIENT_CODE)})
    # The log carries its client when the file held one client's data (most imports do).
    client = Client.objects.filter(code=codes[0]).first() if len(codes) == 1 else None
    return ImportLog.objects.create(
        kind=report.kind,
        client=client,
        user=context.user,
        actor=_fit(context.actor, 150),
        started_at=context.started,
        finished_at=timezone.now(),
        file_name=_fit(context.path.name, 500),
        file_sha256=context.sha,
        mapping=_fit(context.mapping.name or "", 200),
        client_codes=",".join(codes)[:500],
        outcome=outcome,
        rows=report.rows,
        errors=report.errors.height,
        records_created=report.records_created,
        records_updated=report.records_updated,
        records_unchanged=report.records_unchanged,
        deliveries_written=report.deliveries_written or 0,
        created_masterdata=report.created if report.ok else {},
    )


_CLIENT_CODE = 40  # tower.tenancy.models.Client.code


def _fits(text: str, limit: int) -> bool:
    return len(text) <= limit and not re.search(CONTROL_CHARACTERS, text)


def _fit(text: str, limit: int) -> str:
    return re.sub(CONTROL_CHARACTERS, "?", text)[:limit]


def log_file_error(
    *,
    kind: str,
    path: Path,
    actor: str,
    user=None,
    started: dt.datetime | None = None,
    mapping: Mapping | None = None,
    client_code: str | None = None,
) -> ImportLog:
    """The log row of an import refused as a whole (unreadable file, bad mapping, a zip bomb, no
    client column...): rejected, one error, no rows. The SHA-256 when the file can be read."""
    path = Path(path)
    try:
        sha = file_sha256(path)
    except OSError:
        sha = ""  # a missing or unreadable file: logged all the same
    report = ImportReport(kind=kind, file_name=path.name)
    report.errors = pl.DataFrame(
        {"row": [0], "column": [""], "value": [""], "reason": ["file-level error"]},
        schema=ROW_ERROR_SCHEMA,
    )
    context = LogContext(path, sha, mapping or Mapping(), actor, user, started or timezone.now())
    return write_log(report, context, ImportLog.Outcome.REJECTED, [client_code or ""])


def logs_file_errors(kind_of: Callable[..., str]):
    """Decorate an import function (keyword arguments of tower.imports.lines.import_lines) so
    that a file refused as a whole is logged like a rejected one before the error goes up.
    `kind_of` gets the function's arguments and names the kind ("lines", "batches")."""

    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            started = timezone.now()
            try:
                return function(*args, **kwargs)
            except ImportFileError:
                log_file_error(
                    kind=kind_of(*args, **kwargs),
                    path=kwargs["path"],
                    actor=kwargs["actor"],
                    user=kwargs.get("user"),
                    started=started,
                    mapping=kwargs.get("mapping"),
                    client_code=kwargs.get("client_code"),
                )
                raise

        return run

    return decorate
