"""One import pipeline for every record kind: validate the whole file, then write all or nothing.

A RecordKind binds a pure RecordSpec (tower.ingest.specs) to its model: which model field each
file field fills, which fields name stored rows (a deviation's batch), what a new row gets
besides the file's values, and what to do once written. `import_records` then reads, validates,
resolves codes set-based, compares with the stored rows on the natural key and writes only new
and changed rows, in one transaction:

- a field the file does not map is neither compared nor overwritten: a file without a title
  column leaves the stored titles alone (imports invent nothing);
- re-importing the same file finds every record unchanged and writes nothing;
- tables without audit history are written with tower.bulk (executemany / COPY); a table with
  django-simple-history (stock-outs) with its bulk helpers, so that history stays complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tower.bulk import insert_frame, update_frame
from tower.imports.limits import record_lengths
from tower.imports.models import ImportLog
from tower.imports.references import MasterData, read_for_clients
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
from tower.ingest.records import ParsedRecords, RecordSpec, parse_records
from tower.ingest.text import text_errors

MASTER_DATA = ("client", "site", "product")

# Resolves one reference field: (records, label, usable client codes) -> (records with
# "<field>_id", row errors).
Resolver = Callable[[pl.DataFrame, str, list[str]], tuple[pl.DataFrame, pl.DataFrame]]


@dataclass(frozen=True)
class RecordKind:
    spec: RecordSpec
    model: type[models.Model]
    noun: str  # the records in summaries, plural: "batches", "plan weeks"
    # File field -> model field, where the names differ (a batch's "batch" is its "number").
    renamed: dict[str, str] = field(default_factory=dict)
    # File fields naming stored rows other than master data (a deviation's batch, its area).
    references: dict[str, Resolver] = field(default_factory=dict)
    # Model fields set on new rows only (a stock-out's source).
    on_insert: dict[str, object] = field(default_factory=dict)
    # Progress label of the refresh after writing (tower.imports.refresh), when the kind has one.
    refresh_label: str = ""

    @property
    def steps(self) -> int:
        """Progress stages: read, validate, resolve, compare, write (and the follow-up)."""
        return 5 + bool(self.refresh_label)

    def column(self, name: str) -> str:
        """The database column a file field is stored in (client -> client_id)."""
        return self.model._meta.get_field(self.renamed.get(name, name)).column

    def source(self, name: str) -> str:
        """The column of the resolved frame holding a file field's value (ids for codes)."""
        return f"{name}_id" if name in MASTER_DATA or name in self.references else name


@logs_file_errors(lambda kind, **_: kind.spec.kind)
def import_records(
    kind: RecordKind,
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
    """Import a CSV or XLSX file of `kind` records (see import_batches and its siblings)."""
    step = progress or (lambda _label: None)
    path = Path(path)
    started = timezone.now()
    spec = kind.spec
    report = ImportReport(
        kind=spec.kind,
        file_name=path.name,
        noun=kind.noun,
        noun_one=spec.record,
        dry_run=dry_run,
    )

    step("Reading the file")
    table, mapping, sha = read_import_file(path, mapping, spec.names)
    step("Validating every row")
    parsed = parse_records(table, mapping, spec, default_client=client_code)
    report.rows = parsed.rows
    context = LogContext(path, sha, mapping, actor, user, started)
    client_codes = parsed.records["client"].to_list()
    # Text that cannot be stored (too long, NUL) must not reach a query: checked first.
    bad_text = text_errors(table, mapping, record_lengths(kind))
    if not bad_text.is_empty():
        report.errors = combine_errors([parsed.errors, bad_text])
        report.log = write_log(report, context, ImportLog.Outcome.REJECTED, client_codes)
        return report

    step("Checking clients, sites, products and references")
    labels = {f: mapping.columns.get(f, f) for f in spec.names}
    master = MasterData(
        parsed.records.select("row", *(f for f in MASTER_DATA if f in spec.names)),
        principal=principal,
        create_missing=create_missing,
        labels=labels,
    )
    records, reference_errors = _resolve_references(kind, parsed, labels, master.usable)
    report.errors = combine_errors([parsed.errors, master.errors, *reference_errors])
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
        changes = _changes(kind, master.with_ids(records), parsed.mapped)
        report.records_created = changes.new.height
        report.records_updated = changes.changed.height
        report.records_unchanged = changes.unchanged
        if dry_run:
            transaction.set_rollback(True)
        else:
            step(f"Writing {kind.noun}")
            changes.write(kind, user=user, reason=f"imported from {path.name}")
            touched = master.clients(changes.touched_client_ids)
            if touched:
                if kind.refresh_label:
                    step(kind.refresh_label)
                report.notes.extend(refresh_after_import(kind.spec.kind, touched).notes)
            # Logged in the same transaction: an applied import is never left unrecorded.
            report.log = write_log(report, context, ImportLog.Outcome.APPLIED, client_codes)
    if dry_run:
        report.log = write_log(report, context, ImportLog.Outcome.DRY_RUN, client_codes)
    return report


def _resolve_references(
    kind: RecordKind, parsed: ParsedRecords, labels: dict[str, str], clients: list[str]
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """The records with an id column per mapped reference field, and their errors."""
    records, errors = parsed.records, []
    for name, resolve in kind.references.items():
        if name in parsed.mapped:
            records, found = resolve(records, labels[name], clients)
            errors.append(found)
        else:
            records = records.with_columns(pl.lit(None, pl.Int64).alias(f"{name}_id"))
    return records, errors


@dataclass
class _Changes:
    table: str
    new: pl.DataFrame  # database columns of the rows to insert
    changed: pl.DataFrame  # "id" and the compared columns of the rows to update
    unchanged: int
    touched_client_ids: list[int]

    def write(self, kind: RecordKind, *, user, reason: str) -> None:
        if getattr(kind.model._meta, "simple_history_manager_attribute", None):
            self._write_with_history(kind.model, user=user, reason=reason)
        else:
            insert_frame(self.table, self.new)
            update_frame(self.table, self.changed)

    def _write_with_history(self, model: type[models.Model], *, user, reason: str) -> None:
        by_column = {f.column: f for f in model._meta.concrete_fields}
        # Imports run as a user (the web) or as the operator's command line (no user).
        history_user = user if getattr(user, "pk", None) is not None else None
        created = [
            model(**{by_column[c].attname: v for c, v in row.items()})
            for row in self.new.iter_rows(named=True)
        ]
        bulk_create_with_history(
            created, model, default_user=history_user, default_change_reason=reason
        )
        if self.changed.is_empty():
            return
        values = {row.pop("id"): row for row in self.changed.iter_rows(named=True)}
        updated = list(model.objects.filter(pk__in=list(values)))
        for obj in updated:
            for column, value in values[obj.pk].items():
                setattr(obj, by_column[column].attname, value)
        bulk_update_with_history(
            updated,
            model,
            fields=[by_column[c].name for c in self.changed.columns if c != "id"],
            default_user=history_user,
            default_change_reason=reason,
        )


def _changes(kind: RecordKind, records: pl.DataFrame, mapped: Sequence[str]) -> _Changes:
    """New, changed and unchanged records, by joining the file with the stored rows on the
    natural key. Only the fields the file maps are compared (and written on update)."""
    col = pl.col
    key = [kind.column(f) for f in kind.spec.key]
    values = [kind.column(f) for f in mapped if f not in kind.spec.key]
    model_fields = {f.column: f for f in kind.model._meta.concrete_fields}
    incoming = records.select(
        *(
            col(kind.source(f)).alias(kind.column(f))
            for f in dict.fromkeys([*kind.spec.key, *mapped])
        )
    ).with_columns(
        # Blank text is stored as "" in columns that do not allow NULL (Django's convention).
        col(c).fill_null("")
        for c in [*key, *values]
        if isinstance(model_fields[c], models.CharField | models.TextField)
        and not model_fields[c].null
    )
    table = kind.model._meta.db_table
    stored = read_for_clients(
        f"SELECT id, {', '.join(key + values)} FROM {table} WHERE client_id IN ({{clients}})",
        incoming["client_id"].unique().sort().to_list(),
        schema={"id": pl.Int64} | {c: incoming.schema[c] for c in key + values},
    )
    matched = incoming.join(stored, on=key, how="left", suffix="_stored")
    is_new = col("id").is_null()
    differs = pl.any_horizontal(
        pl.lit(False), *(col(c).ne_missing(col(f"{c}_stored")) for c in values)
    )
    # Written in natural-key order, so the database appends to its key index.
    new = matched.filter(is_new).sort(key).select(*key, *values)
    fixed = [pl.lit(value).alias(kind.column(name)) for name, value in kind.on_insert.items()]
    new = new.with_columns(*fixed, *_defaults(kind.model, [*new.columns, *kind.on_insert]))
    changed = matched.filter(~is_new & differs)
    touched = set(new["client_id"].to_list()) | set(changed["client_id"].to_list())
    return _Changes(
        table=table,
        new=new,
        changed=changed.select("id", *values),
        unchanged=matched.height - new.height - changed.height,
        touched_client_ids=sorted(touched),
    )


def _defaults(model: type[models.Model], present: list[str]) -> list[pl.Expr]:
    """Values for the NOT NULL columns a new row needs but the file does not give (Django
    sets model defaults in Python, not in the database, so a bulk insert must give them).
    `present` holds database columns and model field names already set."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.null or f.column in present or f.name in present:
            continue
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            out.append(pl.lit(timezone.now()).alias(f.column))
        else:
            # Django's default: the field's own, else "" for text that may be blank.
            default = f.get_default()
            if default is None:
                raise ValueError(f"{model.__name__}.{f.name} needs a value: make it required")
            # A TextChoices member is a str subclass; Polars wants the plain value.
            value = str(default) if isinstance(default, str) else default
            out.append(pl.lit(value).alias(f.column))
    return out
