"""Reads for the early warning: a client's records as the projection engine's frames, the fresh
projection as of a date, and the stored projections (taking already scoped querysets).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db.models import F, QuerySet

from tower.agreements.queries import current_definition
from tower.agreements.services import early_warning_of
from tower.bulk import read_frame
from tower.engine import schemas as engine_schemas
from tower.engine.projection import ProjectionSettings, project
from tower.outlook.models import (
    RANK_LATE,
    RANK_ON_TRACK,
    RANK_STOCK_OUT,
    RANK_TIGHT,
    RANK_UNPLANNED,
)
from tower.tenancy.models import Client

LINE_SCHEMA = {**engine_schemas.LINE_SCHEMA, **engine_schemas.PROJECTION_LINE_SCHEMA}
# The line's readable names, for the command line and the stored rows' neighbours.
NAMES_SCHEMA = {
    "line_id": pl.Int64,
    "client": pl.String,
    "order": pl.String,
    "line": pl.String,
    "product": pl.String,
}


def projection_inputs(client: Client) -> dict[str, pl.DataFrame]:
    """A client's lines, deliveries, planned batches and latest stock as engine frames."""
    lines = read_frame(
        """SELECT l.id, l.order_id, l.requested_date, l.first_committed_date, l.committed_date,
                  l.ordered_qty, l.line_value, l.status, l.manual_exclusion, p.code, s.code,
                  l.ship_to, l.transport_mode, l.planned_ship_date, NULLIF(l.planned_batch, '')
           FROM orders_orderline l
           JOIN masterdata_product p ON p.id = l.product_id
           LEFT JOIN masterdata_site s ON s.id = l.site_id
           WHERE l.client_id = %s""",
        [client.pk],
        schema=LINE_SCHEMA,
    )
    deliveries = read_frame(
        """SELECT line_id, shipped_date, delivered_date, quantity
           FROM orders_delivery WHERE client_id = %s""",
        [client.pk],
        schema=engine_schemas.DELIVERY_SCHEMA,
    )
    batches = read_frame(
        """SELECT b.number, p.code, s.code, b.planned_start, b.actual_start, b.planned_end,
                  b.actual_end, b.material_ready_date, b.planned_release_date,
                  b.actual_release_date, b.theoretical_output, b.actual_output, b.disposition
           FROM quality_batch b
           JOIN masterdata_product p ON p.id = b.product_id
           LEFT JOIN masterdata_site s ON s.id = b.site_id
           WHERE b.client_id = %s AND b.number IN (
               SELECT planned_batch FROM orders_orderline
               WHERE client_id = %s AND planned_batch <> '')""",
        [client.pk, client.pk],
        schema=engine_schemas.BATCH_SCHEMA,
    )
    stock = read_frame(
        """SELECT p.code, st.location, st.date, st.on_hand, st.daily_demand
           FROM stock_clientstock st JOIN masterdata_product p ON p.id = st.product_id
           WHERE st.client_id = %s""",
        [client.pk],
        schema=engine_schemas.STOCK_SCHEMA,
    )
    return {"lines": lines, "deliveries": deliveries, "batches": batches, "stock": stock}


def projection_settings(client: Client) -> ProjectionSettings:
    return ProjectionSettings(**early_warning_of(client).values())


def project_client(client: Client, as_of: dt.date) -> pl.DataFrame:
    """The client's open lines projected as of `as_of` (the engine's PROJECTION_SCHEMA), with
    `overdue` (already measured by OTIF), `rank` and `rank_key` (the at-risk order)."""
    _, definition = current_definition(client)
    frames = projection_inputs(client)
    projection = project(
        frames["lines"],
        frames["deliveries"],
        frames["batches"],
        definition,
        as_of,
        projection_settings(client),
        stock=frames["stock"],
    )
    return with_rank(projection, as_of, definition.late_days)


def with_rank(projection: pl.DataFrame, as_of: dt.date, late_days: int) -> pl.DataFrame:
    col = pl.col
    epoch = lambda c: (col(c) - pl.lit(dt.date(1970, 1, 1))).dt.total_days()  # noqa: E731
    return projection.with_columns(
        # Column first: Polars 2.1 fails on `lit > col + duration` when every due date is the
        # same (it keeps such a column as one value and does not broadcast the result).
        ((col("due_date") + pl.duration(days=late_days)) < pl.lit(as_of)).alias("overdue"),
        pl.when(col("stock_out_from").is_not_null())
        .then(RANK_STOCK_OUT)
        .when(col("risk") == "late")
        .then(RANK_LATE)
        .when(col("risk") == "tight")
        .then(RANK_TIGHT)
        .when(col("risk").is_in(["no_plan", "no_supply"]))
        .then(RANK_UNPLANNED)
        .otherwise(RANK_ON_TRACK)
        .cast(pl.Int64)
        .alias("rank"),
        pl.when(col("stock_out_from").is_not_null())
        .then(epoch("stock_out_from"))
        .when(col("risk") == "late")
        .then(-col("projected_days_late"))
        .otherwise(epoch("due_date"))
        .cast(pl.Int64)
        .alias("rank_key"),
    )


def line_names(client: Client) -> pl.DataFrame:
    return read_frame(
        """SELECT l.id, c.code, o.number, l.line_number, p.code
           FROM orders_orderline l
           JOIN tenancy_client c ON c.id = l.client_id
           JOIN orders_order o ON o.id = l.order_id
           JOIN masterdata_product p ON p.id = l.product_id
           WHERE l.client_id = %s""",
        [client.pk],
        schema=NAMES_SCHEMA,
    )


def stored_projection(client: Client) -> pl.DataFrame:
    """The client's stored projection rows, in the engine's schema (plus rank columns)."""
    from tower.engine.projection import PROJECTION_SCHEMA
    from tower.outlook.models import LineProjection

    columns = list(PROJECTION_SCHEMA)
    schema = {**PROJECTION_SCHEMA, "overdue": pl.Boolean, "rank": pl.Int64, "rank_key": pl.Int64}
    return read_frame(
        f"""SELECT {", ".join("line_id" if c == "line_id" else c for c in columns)},
                   overdue, rank, rank_key
            FROM {LineProjection._meta.db_table} WHERE client_id = %s ORDER BY line_id""",
        [client.pk],
        schema=schema,
    )


def at_risk(rows: QuerySet, *, narrowed: bool = False) -> QuerySet:
    """Projections of lines at risk, most urgent first (rows already scoped).

    `narrowed`: the rows are also filtered by risk or cause area, or will be sorted by another
    column. The test is then written "rank + 0 < ON_TRACK": on the bare column SQLite reads the
    urgency index's range of every at-risk line of the client and looks each row up for the other
    column (0.25 to 0.4 s at 1M lines); the expression lets it take the index that serves the
    filter or the sort (tower.outlook.models), which also holds the rank.
    """
    if narrowed:
        rows = rows.alias(rank_value=F("rank") + 0).filter(rank_value__lt=RANK_ON_TRACK)
    else:
        rows = rows.filter(rank__lt=RANK_ON_TRACK)
    return rows.order_by("rank", "rank_key", "line_id")
