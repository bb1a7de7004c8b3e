"""The declared record kinds (batches, deviations, CAPAs, plan weeks, stock-outs, stock).

A RecordKind binds a pure RecordSpec (tower.ingest.specs) to its model: which model field each
file field fills, which fields name stored rows (a deviation's batch), what a new row gets
besides the file's values, and what to do once written. The one import pipeline
(tower.imports.pipeline.import_file) reads, validates and resolves its files; this module gives
it the kind's hooks: resolving references set-based, comparing with the stored rows on the
natural key and writing only new and changed rows:

- a field the file does not map is neither compared nor overwritten: a file without a title
  column leaves the stored titles alone (imports invent nothing);
- re-importing the same file finds every record unchanged and writes nothing;
- tables without audit history are written with tower.bulk (executemany / COPY); a table with
  django-simple-history (stock-outs) with its bulk helpers, so that history stays complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl
from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tower.bulk import insert_frame, update_frame
from tower.imports.limits import record_lengths
from tower.imports.references import MasterData, read_for_clients
from tower.ingest import Mapping
from tower.ingest.errors import combine_errors
from tower.ingest.records import ParsedRecords, RecordSpec, parse_records

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
    def name(self) -> str:
        return self.spec.kind

    @property
    def noun_one(self) -> str:
        return self.spec.record

    @property
    def fields(self) -> tuple[str, ...]:
        return self.spec.names

    resolve_label = "Checking clients, sites, products and references"
    counts_deliveries = False

    @property
    def write_label(self) -> str:
        return f"Writing {self.noun}"

    def column(self, name: str) -> str:
        """The database column a file field is stored in (client -> client_id)."""
        return self.model._meta.get_field(self.renamed.get(name, name)).column

    def source(self, name: str) -> str:
        """The column of the resolved frame holding a file field's value (ids for codes)."""
        return f"{name}_id" if name in MASTER_DATA or name in self.references else name

    # --- the hooks of tower.imports.pipeline.import_file ---------------------------------

    def parse(
        self, table: pl.DataFrame, mapping: Mapping, *, default_client: str | None
    ) -> ParsedRecords:
        return parse_records(table, mapping, self.spec, default_client=default_client)

    def client_codes(self, parsed: ParsedRecords) -> list[str]:
        return parsed.records["client"].to_list()

    def lengths(self) -> dict[str, int | None]:
        return record_lengths(self)

    def master_data(self, parsed: ParsedRecords) -> pl.DataFrame:
        return parsed.records.select("row", *(f for f in MASTER_DATA if f in self.spec.names))

    def resolve(
        self, parsed: ParsedRecords, master: MasterData, labels: dict[str, str]
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        records, errors = _resolve_references(self, parsed, labels, master.usable)
        return records, combine_errors([master.errors, *errors])

    def compare(
        self, parsed: ParsedRecords, resolved: pl.DataFrame, master: MasterData, mapping: Mapping
    ) -> _Changes:
        return _changes(self, master.with_ids(resolved), parsed.mapped)


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
    model: type[models.Model]
    new: pl.DataFrame  # database columns of the rows to insert
    changed: pl.DataFrame  # "id" and the compared columns of the rows to update
    unchanged: int
    touched_client_ids: list[int]
    deliveries_written = 0  # one table per record kind
    engine_inputs = None  # nothing of the OTIF engine's

    @property
    def created(self) -> int:
        return self.new.height

    @property
    def updated(self) -> int:
        return self.changed.height

    def write(self, *, user, reason: str) -> None:
        if getattr(self.model._meta, "simple_history_manager_attribute", None):
            self._write_with_history(self.model, user=user, reason=reason)
        else:
            table = self.model._meta.db_table
            insert_frame(table, self.new)
            update_frame(table, self.changed)

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
        model=kind.model,
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
