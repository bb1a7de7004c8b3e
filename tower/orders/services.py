"""Importing order lines and deliveries: validate the whole file, then write all of it or nothing.

`import_lines` is the one import pipeline: the CLI (`tower import lines`), the demo and later the
web upload call it. Reading and row validation are in tower.ingest (pure); this module resolves
master data, computes what changes against the database (natural keys: client + order + line),
writes it set-based in one transaction and refreshes the affected clients' outcomes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
from django.db import transaction
from django.utils import timezone

from tower.bulk import delete_where_in, insert_frame, read_frame, reserve_ids, update_frame
from tower.ingest import (
    Mapping,
    default_mapping,
    file_sha256,
    parse_lines,
    read_table,
)
from tower.ingest.errors import ROW_ERROR_SCHEMA
from tower.masterdata.models import Product, Site
from tower.orders.models import Delivery, ImportLog, Order, OrderLine
from tower.performance.queries import LINE_SCHEMA
from tower.performance.services import RefreshResult, refresh_outcomes
from tower.tenancy.models import Client
from tower.tenancy.scoping import visible_clients

# Line fields compared to decide whether an existing line changed (text blanks stored as "").
LINE_TEXT_FIELDS = ["ship_to", "transport_mode", "unit", "currency", "status"]
LINE_COMPARED = [
    "product_id",
    "site_id",
    *LINE_TEXT_FIELDS,
    "ordered_qty",
    "line_value",
    "requested_date",
    "first_committed_date",
    "committed_date",
]
# What the OTIF engine reads of a line besides its id and order, as engine_inputs reads it.
ENGINE_LINE_COLUMNS = [c for c in LINE_SCHEMA if c not in ("line_id", "order_key")]
Progress = Callable[[str], None]


@dataclass
class ImportReport:
    file_name: str
    rows: int = 0
    errors: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ROW_ERROR_SCHEMA))
    lines_created: int = 0
    lines_updated: int = 0
    lines_unchanged: int = 0
    deliveries_written: int = 0
    created: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False
    refreshed: list[RefreshResult] = field(default_factory=list)
    log: ImportLog | None = None

    @property
    def ok(self) -> bool:
        return self.errors.is_empty()

    def summary(self) -> str:
        if not self.ok:
            return f"{self.file_name}: {self.errors.height} error(s) in {self.rows} rows; nothing was written."
        verb = "would create" if self.dry_run else "created"
        text = (
            f"{self.file_name}: {self.rows} rows; {verb} {self.lines_created} lines, "
            f"{'would update' if self.dry_run else 'updated'} {self.lines_updated}, "
            f"{self.lines_unchanged} unchanged; {self.deliveries_written} deliveries "
            f"{'to write' if self.dry_run else 'written'}"
        )
        made = ", ".join(
            f"{len(v)} {k if len(v) != 1 else k.removesuffix('s')}"
            for k, v in self.created.items()
            if v
        )
        if made:
            text += f"; {'would create' if self.dry_run else 'created'} {made}"
        return text + (" (dry run: nothing written)." if self.dry_run else ".")


def import_lines(
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
    """Import a CSV or XLSX file of order lines and deliveries.

    `principal` is who the import runs for (tower.tenancy.scoping): clients it may not see are
    treated as unknown. Raises ImportFileError for a file that cannot be read at all; row-level
    problems come back in `report.errors` with nothing written.
    """
    step = progress or (lambda _label: None)
    path = Path(path)
    started = timezone.now()
    report = ImportReport(file_name=path.name, dry_run=dry_run)

    step("Reading the file")
    sha = file_sha256(path)
    mapping = mapping or Mapping()
    table = read_table(path, mapping)
    if not mapping.columns:
        # No [columns]: headers named like the fields are used as they are; file options stay.
        headers = [c for c in table.columns if c != "__row__"]
        mapping = replace(mapping, columns=default_mapping(headers).columns)
    step("Validating every row")
    parsed = parse_lines(table, mapping, default_client=client_code)
    report.rows = parsed.rows
    errors = [parsed.errors]

    step("Checking clients, sites and products")
    refs = _MasterData(parsed.lines, parsed.deliveries, principal, create_missing)
    errors.append(refs.errors)
    report.errors = pl.concat(errors).unique().sort("row", "column")
    report.created = refs.to_create()

    def log(outcome: str) -> ImportLog:
        return ImportLog.objects.create(
            kind="lines",
            user=user,
            actor=actor,
            started_at=started,
            finished_at=timezone.now(),
            file_name=path.name,
            file_sha256=sha,
            mapping=mapping.name or "",
            client_codes=",".join(sorted(parsed.lines["client"].unique().drop_nulls().to_list()))[
                :500
            ],
            outcome=outcome,
            rows=report.rows,
            errors=report.errors.height,
            lines_created=report.lines_created,
            lines_updated=report.lines_updated,
            lines_unchanged=report.lines_unchanged,
            deliveries_written=report.deliveries_written,
            created_masterdata=report.created if report.ok else {},
        )

    if not report.ok:
        report.log = log(ImportLog.Outcome.REJECTED)
        return report
    step("Comparing with the database")
    with transaction.atomic():
        refs.create()
        plan = _plan(parsed.lines, parsed.deliveries, refs)
        report.lines_created = plan.new_lines.height
        report.lines_updated = plan.changed_lines.height
        report.lines_unchanged = plan.unchanged
        report.deliveries_written = plan.deliveries.height
        if dry_run:
            transaction.set_rollback(True)
        else:
            step("Writing lines and deliveries")
            plan.write()
            step("Recomputing OTIF outcomes")
            for client in refs.changed_clients(plan):
                report.refreshed.append(
                    refresh_outcomes(
                        client=client, trigger="import", inputs=plan.engine_inputs(client.pk)
                    )
                )
            # Logged in the same transaction: an applied import is never left unrecorded.
            report.log = log(ImportLog.Outcome.APPLIED)
    if dry_run:
        report.log = log(ImportLog.Outcome.DRY_RUN)
    return report


class _MasterData:
    """Resolves the file's client, site and product codes to ids; knows what it may create."""

    def __init__(
        self, lines: pl.DataFrame, deliveries: pl.DataFrame, principal, create_missing: bool
    ):
        self.lines = lines
        self.create_missing = create_missing
        self.visible = {c.code: c for c in visible_clients(principal)}
        self.all_client_codes = set(Client.objects.values_list("code", flat=True))
        self.sites = dict(Site.objects.values_list("code", "id"))
        codes = lines["client"].unique().to_list()
        self.products = {
            (client, code): pk
            for client, code, pk in Product.objects.filter(
                client__code__in=[c for c in codes if c in self.visible]
            ).values_list("client__code", "code", "id")
        }
        self.missing_clients = sorted(c for c in codes if c not in self.visible)
        self.missing_sites = sorted(
            s for s in lines["site"].unique().drop_nulls().to_list() if s not in self.sites
        )
        known = pl.DataFrame(
            list(self.products), schema={"client": pl.String, "product": pl.String}, orient="row"
        )
        self.missing_products = (
            lines.select("client", "product", "product_group")
            .unique(["client", "product"], keep="first", maintain_order=True)
            .join(known, on=["client", "product"], how="anti")
        )
        self.errors = self._errors(deliveries)

    def _errors(self, deliveries: pl.DataFrame) -> pl.DataFrame:
        # A client the principal may not see, or that exists for nobody, reads the same: unknown.
        # --create-missing never creates a client code that already exists out of sight.
        hidden = [c for c in self.missing_clients if c in self.all_client_codes]
        creatable = self.create_missing
        problems = []
        for column, values, reason in (
            ("client", hidden, "unknown client (or no access to it)"),
            (
                "client",
                [] if creatable else [c for c in self.missing_clients if c not in hidden],
                "unknown client: create it with `tower client add` or pass --create-missing",
            ),
            (
                "site",
                [] if creatable else self.missing_sites,
                "unknown site: pass --create-missing to create it",
            ),
        ):
            if values:
                bad = self.lines.filter(pl.col(column).is_in(values))
                problems.append(_row_errors(bad, deliveries, column, reason))
        if not creatable and self.missing_products.height:
            bad = self.lines.join(
                self.missing_products.select("client", "product"), on=["client", "product"]
            )
            problems.append(
                _row_errors(
                    bad,
                    deliveries,
                    "product",
                    "unknown product for this client: pass --create-missing to create it",
                )
            )
        if not problems:
            return pl.DataFrame(schema=ROW_ERROR_SCHEMA)
        return pl.concat(problems)

    def to_create(self) -> dict[str, list[str]]:
        if not self.create_missing:
            return {}
        return {
            "clients": self.missing_clients,
            "sites": self.missing_sites,
            "products": [
                f"{c}/{p}" for c, p in self.missing_products.select("client", "product").iter_rows()
            ],
        }

    def create(self) -> None:
        if not self.create_missing:
            return
        for code in self.missing_clients:
            self.visible[code] = Client.objects.create(code=code, name=code)
        for code in self.missing_sites:
            self.sites[code] = Site.objects.create(code=code, name=code).pk
        new = [
            Product(client=self.visible[c], code=p, name=p, product_group=g or "")
            for c, p, g in self.missing_products.iter_rows()
        ]
        for product in Product.objects.bulk_create(new):
            self.products[(product.client.code, product.code)] = product.pk

    def ids(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        clients = pl.DataFrame(
            [(code, c.pk) for code, c in self.visible.items()],
            schema={"client": pl.String, "client_id": pl.Int64},
            orient="row",
        )
        sites = pl.DataFrame(
            list(self.sites.items()), schema={"site": pl.String, "site_id": pl.Int64}, orient="row"
        )
        products = pl.DataFrame(
            [(c, p, pk) for (c, p), pk in self.products.items()],
            schema={"client": pl.String, "product": pl.String, "product_id": pl.Int64},
            orient="row",
        )
        return clients, sites, products

    def changed_clients(self, plan: _Plan) -> list[Client]:
        ids = set(plan.touched_client_ids)
        return [c for c in self.visible.values() if c.pk in ids]


def _row_errors(
    bad_lines: pl.DataFrame, deliveries: pl.DataFrame, column: str, reason: str
) -> pl.DataFrame:
    """Every source row of the given lines (the line's first row and its delivery rows)."""
    rows = pl.concat(
        [
            bad_lines.select(
                pl.col("first_row").alias("row"),
                "client",
                "order",
                "line",
                pl.col(column).alias("value"),
            ),
            deliveries.join(
                bad_lines.select("client", "order", "line", pl.col(column).alias("value")),
                on=["client", "order", "line"],
            ).select("row", "client", "order", "line", "value"),
        ]
    ).unique("row")
    return rows.select(
        pl.col("row").cast(pl.Int64),
        pl.lit(column).alias("column"),
        pl.col("value").cast(pl.String),
        pl.lit(reason).alias("reason"),
    )


@dataclass
class _Plan:
    new_orders: pl.DataFrame
    new_lines: pl.DataFrame
    changed_lines: pl.DataFrame
    unchanged: int
    replaced_delivery_lines: list[int]
    deliveries: pl.DataFrame
    touched_client_ids: list[int]
    # The clients' lines and deliveries as they will be once written, in the engine's input
    # schema (tower.performance.queries.engine_inputs), so outcomes need no read-back.
    lines_after: pl.DataFrame
    deliveries_after: pl.DataFrame

    def engine_inputs(self, client_id: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        mine = pl.col("client_id") == client_id
        return (
            self.lines_after.filter(mine).drop("client_id"),
            self.deliveries_after.filter(mine).drop("client_id"),
        )

    def write(self) -> None:
        insert_frame(Order._meta.db_table, self.new_orders)
        insert_frame(OrderLine._meta.db_table, self.new_lines)
        update_frame(OrderLine._meta.db_table, self.changed_lines)
        delete_where_in(Delivery._meta.db_table, "line_id", self.replaced_delivery_lines)
        insert_frame(Delivery._meta.db_table, self.deliveries)


def _plan(lines: pl.DataFrame, deliveries: pl.DataFrame, refs: _MasterData) -> _Plan:
    """What to write: new orders and lines, changed lines, and lines whose deliveries changed.

    The file is the truth for the lines it contains: their delivery lists are replaced when they
    differ from what is stored, and left alone when equal, so a re-import writes nothing.
    """
    col = pl.col
    clients, sites, products = refs.ids()
    key = ["client_id", "order", "line"]
    incoming = (
        lines.join(clients, on="client")
        .join(products, on=["client", "product"])
        .join(sites, on="site", how="left")
        .with_columns(col(c).fill_null("") for c in LINE_TEXT_FIELDS)
    )
    client_ids = incoming["client_id"].unique().to_list()
    marks = ", ".join(["%s"] * len(client_ids))

    orders = read_frame(
        f"SELECT id, client_id, number FROM orders_order WHERE client_id IN ({marks})",
        client_ids,
        schema={"order_id": pl.Int64, "client_id": pl.Int64, "order": pl.String},
    )
    new_orders = (
        incoming.select("client_id", "order")
        .unique()
        .join(orders, on=["client_id", "order"], how="anti")
        .sort("client_id", "order")
    )
    new_orders = new_orders.with_columns(
        pl.Series("order_id", reserve_ids(Order._meta.db_table, new_orders.height), dtype=pl.Int64)
    )
    orders = pl.concat([orders, new_orders.select(orders.columns)])
    incoming = incoming.join(orders, on=["client_id", "order"])

    stored = read_frame(
        f"""SELECT l.id, l.client_id, o.number, l.line_number, l.order_id, l.manual_exclusion,
                   {", ".join("l." + c for c in LINE_COMPARED)}
            FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
            WHERE l.client_id IN ({marks})""",
        client_ids,
        schema={
            "id": pl.Int64,
            "client_id": pl.Int64,
            "order": pl.String,
            "line": pl.String,
            "order_id": pl.Int64,
            "manual_exclusion": pl.String,
        }
        | {c: incoming.schema[c] for c in LINE_COMPARED},
    )
    matched = incoming.join(stored, on=key, how="left", suffix="_stored")
    is_new = col("id").is_null()
    differs = pl.any_horizontal(col(c).ne_missing(col(f"{c}_stored")) for c in LINE_COMPARED)
    # New rows are numbered and written in natural-key order, so SQLite appends to the end of
    # its primary-key and natural-key B-trees instead of inserting all over them.
    new_lines = matched.filter(is_new).sort("client_id", "order_id", "line")
    new_lines = new_lines.with_columns(
        pl.Series("id", reserve_ids(OrderLine._meta.db_table, new_lines.height), dtype=pl.Int64)
    )
    changed = matched.filter(~is_new & differs)
    unchanged = matched.height - new_lines.height - changed.height
    line_ids = pl.concat([new_lines.select(*key, "id"), matched.filter(~is_new).select(*key, "id")])

    incoming_deliveries = (
        deliveries.join(clients, on="client")
        .join(line_ids, on=key)
        .select(
            col("id").alias("line_id"),
            "client_id",
            col("delivery_id").fill_null(""),
            "shipped_date",
            "delivered_date",
            col("delivered_qty").alias("quantity"),
            col("batch").fill_null(""),
        )
    )
    stored_deliveries = read_frame(
        f"""SELECT line_id, client_id, delivery_id, shipped_date, delivered_date, quantity, batch
            FROM orders_delivery WHERE client_id IN ({marks})""",
        client_ids,
        schema=dict(incoming_deliveries.schema),
    )
    existing_ids = matched.filter(~is_new).select(col("id").alias("line_id"))
    replaced = _lines_with_different_deliveries(
        incoming_deliveries.join(existing_ids, on="line_id", how="semi"),
        stored_deliveries.join(existing_ids, on="line_id", how="semi"),
    )
    to_write = incoming_deliveries.filter(
        col("line_id").is_in(new_lines["id"].implode())
        | col("line_id").is_in(pl.Series(replaced).implode())
    ).sort("line_id")
    line_columns = ["id", "client_id", "order_id", col("line").alias("line_number"), *LINE_COMPARED]
    touched = set(new_lines["client_id"].to_list()) | set(changed["client_id"].to_list())
    touched |= set(to_write["client_id"].to_list())

    in_file = pl.concat([new_lines, matched.filter(~is_new)], how="diagonal_relaxed")
    engine_lines = [
        col("id").alias("line_id"),
        col("order_id").alias("order_key"),
        *(c for c in ENGINE_LINE_COLUMNS),
        "client_id",
    ]
    lines_after = pl.concat(
        [
            in_file.select(engine_lines),
            stored.join(in_file.select("id"), on="id", how="anti").select(engine_lines),
        ]
    )
    delivery_columns = ["line_id", "shipped_date", "delivered_date", "quantity", "client_id"]
    deliveries_after = pl.concat(
        [
            incoming_deliveries.select(delivery_columns),
            stored_deliveries.join(
                in_file.select(col("id").alias("line_id")), on="line_id", how="anti"
            ).select(delivery_columns),
        ]
    )
    return _Plan(
        new_orders=new_orders.select(
            col("order_id").alias("id"), "client_id", col("order").alias("number")
        ),
        new_lines=new_lines.select(*line_columns, "manual_exclusion"),
        changed_lines=changed.select("id", *LINE_COMPARED),
        unchanged=unchanged,
        replaced_delivery_lines=replaced,
        deliveries=to_write,
        touched_client_ids=sorted(touched),
        lines_after=lines_after,
        deliveries_after=deliveries_after,
    )


def _lines_with_different_deliveries(incoming: pl.DataFrame, stored: pl.DataFrame) -> list[int]:
    """Lines whose multiset of deliveries differs between the file and the database."""

    def fingerprint(frame: pl.DataFrame) -> pl.DataFrame:
        # Sum of per-delivery hashes (order-insensitive, duplicates kept) plus the count.
        row_hash = (pl.struct(pl.exclude("line_id", "client_id")).hash(seed=7) % (1 << 32)).cast(
            pl.Int64
        )
        return frame.group_by("line_id").agg(row_hash.sum().alias("h"), pl.len().alias("n"))

    a, b = fingerprint(incoming), fingerprint(stored)
    both = a.join(b, on="line_id", how="full", coalesce=True, suffix="_stored")
    differs = both.filter(
        pl.col("h").ne_missing(pl.col("h_stored")) | pl.col("n").ne_missing(pl.col("n_stored"))
    )
    return differs["line_id"].to_list()
