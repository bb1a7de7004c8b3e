"""Order lines and their deliveries: one more kind of the one import pipeline.

`import_lines` is tower.imports.pipeline.import_file with LINE_KIND: the CLI (`tower import
lines`), the demo and later the web upload call it. What is the order-line kind's own is here:
rows are validated by tower.ingest.lines (a line over several delivery rows, which must agree;
one delivery id once per line), master data is resolved from each line's first row and its
errors repeated on the line's delivery rows, a planned batch must be a stored batch of the
line's product; the comparison covers two tables (lines on client + order + line, each line's
deliveries as a whole), new orders are numbered and written with them, and the outcomes are
recomputed from the frames the comparison already holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import polars as pl

from tower.bulk import delete_where_in, insert_frame, reserve_ids, update_frame
from tower.imports.limits import line_lengths
from tower.imports.pipeline import import_file
from tower.imports.references import MasterData, read_for_clients
from tower.imports.report import ImportReport, Progress
from tower.ingest import FIELDS, Mapping, ParsedLines, parse_lines
from tower.ingest.errors import ROW, combine_errors, empty_errors, row_errors
from tower.orders.models import (
    Delivery,
    Order,
    OrderLine,
)
from tower.performance.queries import LINE_SCHEMA
from tower.quality.models import Batch

# Callers of import_lines (the demo, the command) take its report type from here too.
__all__ = ["LINE_KIND", "ImportReport", "Progress", "import_lines"]

# Line fields compared to decide whether an existing line changed (text blanks stored as "").
LINE_TEXT_FIELDS = ["ship_to", "transport_mode", "unit", "currency", "planned_batch", "status"]
LINE_COMPARED = [
    "product_id",
    "site_id",
    *LINE_TEXT_FIELDS,
    "ordered_qty",
    "line_value",
    "requested_date",
    "first_committed_date",
    "committed_date",
    "planned_ship_date",
]
# What the OTIF engine reads of a line besides its id and order, as engine_inputs reads it.
ENGINE_LINE_COLUMNS = [c for c in LINE_SCHEMA if c not in ("line_id", "order_key")]


class LineKind:
    """The order-line kind's declarations and hooks (tower.imports.pipeline.ImportKind)."""

    name = "lines"
    noun = "lines"
    noun_one = "line"
    fields = FIELDS
    resolve_label = "Checking clients, sites, products and planned batches"
    write_label = "Writing lines and deliveries"
    refresh_label = "Recomputing OTIF outcomes"
    counts_deliveries = True  # the second table: each line's deliveries

    def parse(
        self, table: pl.DataFrame, mapping: Mapping, *, default_client: str | None
    ) -> ParsedLines:
        return parse_lines(table, mapping, default_client=default_client)

    def client_codes(self, parsed: ParsedLines) -> list[str]:
        return parsed.lines["client"].unique().to_list()

    def lengths(self) -> dict[str, int | None]:
        return line_lengths()

    def master_data(self, parsed: ParsedLines) -> pl.DataFrame:
        # A line's codes are checked once, on its first row.
        return parsed.lines.select(
            pl.col("first_row").alias("row"), "client", "site", "product", "product_group"
        )

    def resolve(
        self, parsed: ParsedLines, master: MasterData, labels: dict[str, str]
    ) -> tuple[ParsedLines, pl.DataFrame]:
        errors = combine_errors(
            [
                master.errors,
                _planned_batch_errors(parsed.lines, master.usable, labels["planned_batch"]),
            ]
        )
        return parsed, _on_every_row_of_the_line(errors, parsed.lines, parsed.deliveries)

    def compare(
        self, parsed: ParsedLines, resolved: ParsedLines, master: MasterData, mapping: Mapping
    ) -> _Plan:
        return _plan(
            resolved.lines,
            resolved.deliveries,
            master,
            keep_planned_batch="planned_batch" not in mapping.columns,
        )


LINE_KIND = LineKind()

# Import a CSV or XLSX file of order lines and deliveries, with import_file's keyword arguments.
import_lines = partial(import_file, LINE_KIND)


def _planned_batch_errors(lines: pl.DataFrame, clients: list[str], label: str) -> pl.DataFrame:
    """Lines naming a planned batch that is not a stored batch of their client (import the
    batches first), or a batch of another product: it cannot fill the line. Lines of clients
    that cannot be stored (`clients`: MasterData.usable) already have a client error."""
    named = lines.filter(pl.col("planned_batch").is_not_null() & pl.col("client").is_in(clients))
    if named.is_empty():
        return empty_errors()
    stored = pl.DataFrame(
        list(
            Batch.objects.filter(
                client__code__in=named["client"].unique().to_list(),
                number__in=named["planned_batch"].unique().to_list(),
            )
            .values_list("client__code", "number", "product__code")
            .order_by()
        ),
        schema={"client": pl.String, "planned_batch": pl.String, "batch_product": pl.String},
        orient="row",
    )
    checked = named.join(stored, on=["client", "planned_batch"], how="left").rename(
        {"first_row": ROW}
    )
    unknown = pl.col("batch_product").is_null()
    other_product = ~unknown & (pl.col("batch_product") != pl.col("product"))
    return combine_errors(
        [
            row_errors(
                checked,
                unknown,
                label,
                pl.col("planned_batch"),
                "unknown batch for this client: import the batches first",
            ),
            row_errors(
                checked,
                other_product,
                label,
                pl.col("planned_batch"),
                pl.format(
                    "this batch is of product {}, not of the line's product {}",
                    pl.col("batch_product"),
                    pl.col("product"),
                ),
            ),
        ]
    )


def _on_every_row_of_the_line(
    errors: pl.DataFrame, lines: pl.DataFrame, deliveries: pl.DataFrame
) -> pl.DataFrame:
    """Errors found on a line's first row, repeated on each of its delivery rows: the planner
    fixes the code on every row that spells it."""
    if errors.is_empty():
        return errors
    key = ["client", "order", "line"]
    bad = errors.join(lines.select(pl.col("first_row").alias("row"), *key), on="row")
    spread = bad.join(deliveries.select(pl.col("row").alias("delivery_row"), *key), on=key)
    return pl.concat(
        [
            errors,
            spread.select(pl.col("delivery_row").alias("row"), "column", "value", "reason"),
        ]
    ).unique()


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

    @property
    def created(self) -> int:
        return self.new_lines.height

    @property
    def updated(self) -> int:
        return self.changed_lines.height

    @property
    def deliveries_written(self) -> int:
        return self.deliveries.height

    def engine_inputs(self, client_id: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        mine = pl.col("client_id") == client_id
        return (
            self.lines_after.filter(mine).drop("client_id"),
            self.deliveries_after.filter(mine).drop("client_id"),
        )

    def write(self, *, user, reason: str) -> None:
        # Orders, lines and deliveries have no audit history: who and why are in the log.
        insert_frame(Order._meta.db_table, self.new_orders)
        insert_frame(OrderLine._meta.db_table, self.new_lines)
        update_frame(OrderLine._meta.db_table, self.changed_lines)
        delete_where_in(Delivery._meta.db_table, "line_id", self.replaced_delivery_lines)
        insert_frame(Delivery._meta.db_table, self.deliveries)


def _plan(
    lines: pl.DataFrame, deliveries: pl.DataFrame, refs: MasterData, *, keep_planned_batch: bool
) -> _Plan:
    """What to write: new orders and lines, changed lines, and lines whose deliveries changed.

    The file is the truth for the lines it contains: their delivery lists are replaced when they
    differ from what is stored, and left alone when equal, so a re-import writes nothing.
    A file without a planned-batch column (`keep_planned_batch`) leaves the stored planned
    batches alone: the ERP's order export and the planner's batch allocation may come apart.
    """
    col = pl.col
    compared = [c for c in LINE_COMPARED if not (keep_planned_batch and c == "planned_batch")]
    clients, sites, products = refs.ids()
    key = ["client_id", "order", "line"]
    incoming = (
        lines.join(clients, on="client")
        .join(products, on=["client", "product"])
        .join(sites, on="site", how="left")
        .with_columns(col(c).fill_null("") for c in LINE_TEXT_FIELDS)
    )
    client_ids = incoming["client_id"].unique().to_list()

    orders = read_for_clients(
        "SELECT id, client_id, number FROM orders_order WHERE client_id IN ({clients})",
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

    stored = read_for_clients(
        f"""SELECT l.id, l.client_id, o.number, l.line_number, l.order_id, l.manual_exclusion,
                   {", ".join("l." + c for c in LINE_COMPARED)}
            FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
            WHERE l.client_id IN ({{clients}})""",
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
    differs = pl.any_horizontal(col(c).ne_missing(col(f"{c}_stored")) for c in compared)
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
    stored_deliveries = read_for_clients(
        """SELECT line_id, client_id, delivery_id, shipped_date, delivered_date, quantity, batch
            FROM orders_delivery WHERE client_id IN ({clients})""",
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
        changed_lines=changed.select("id", *compared),
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
