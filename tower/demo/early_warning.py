"""The demo's forward half (kpis.md 8): batches planned for the open lines, with the slips a
planner meets, shipments in transit, the client's stock for a few products, and one client's
early-warning settings, all loaded through the real imports and services.

`plan_open_lines` is pure (Polars and numpy, no database, no clock): from the open lines as the
demo stored them and the day T it returns the forward batches, the lines file again with each
line's planned batch and the shipments now in transit, and the stock rows. `load_early_warning`
reads the open lines, writes the three files into the demo folder and imports them
(`tower import batches`, `lines`, `stock`), so every record has its import log and history.

The stories, per forward batch (deterministic for a seed):
- on plan (most): material ready 3 days before the planned start, production and QC release
  on their planned dates;
- material late: materials arrive 3 to 8 days after the planned start, production starts then;
- production overrun: manufacturing ends 3 to 6 days after its planned end;
- QC hold: the batch is made on time, then put on hold by QC (no release date);
- one rejected batch per demo: QC rejected it; its lines have no supply.
Lines whose batch was released before their planned ship date and whose ship date has passed
are shipped: on the planned day, or 1 to 4 days late for about one in five (transport delays),
and in transit (no delivered date yet) when they would not have arrived by T.
A few lines per client due within the planning horizon have neither a planned batch nor a
planned ship date (`without_plan`): the outlook shows them as "no plan" (planning).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from django.contrib.auth import get_user_model

from tower.bulk import read_frame
from tower.imports.kinds import import_batches, import_stock
from tower.imports.lines import import_lines
from tower.scorecards.services import set_early_warning
from tower.tenancy.models import Client
from tower.tenancy.scoping import SYSTEM

# Planned lead times behind a line's planned ship date (the defaults of kpis.md 8).
PRODUCTION_DAYS, RELEASE_DAYS, SHIP_DAYS = 5, 7, 2
MATERIAL_BUFFER_DAYS = 3
# Lines planned to ship within this many days of each other share a forward batch.
CAMPAIGN_DAYS = 7
STORIES = ("on_plan", "material_late", "production_overrun", "qc_hold")
STORY_WEIGHTS = (0.6, 0.14, 0.14, 0.12)
UNBATCHED_SHARE = 0.1  # open lines left without a planned batch: their chain starts at ship
TRANSPORT_DELAY_SHARE = 0.2
STOCK_CLIENTS, STOCK_PRODUCTS = 3, 2
# The client whose early-warning settings differ from the defaults: slow sea lanes.
# Lines per client left without any plan (no batch, no ship date) among those due soon.
NO_PLAN_PER_CLIENT = 2
NO_PLAN_WITHIN_DAYS = 10  # inside every client's planning horizon (14 by default, 21 for one)
SETTINGS_CLIENT_INDEX = 2
DEMO_SETTINGS = {"transit_days": 7, "horizon_days": 21}

OPEN_LINE_SCHEMA = {
    "client": pl.String,
    "order": pl.String,
    "line": pl.String,
    "product": pl.String,
    "site": pl.String,
    "ship_to": pl.String,
    "ordered_qty": pl.Float64,
    "committed_date": pl.Date,
    "planned_ship_date": pl.Date,
    "delivered_qty": pl.Float64,
}


@dataclass
class ForwardPlan:
    batches: pl.DataFrame  # the batches import's fields
    planned: pl.DataFrame  # client, order, line, planned_batch (null: none planned)
    in_transit: pl.DataFrame  # client, order, line, shipped_date, delivered_qty, delivery_id, batch
    stock: pl.DataFrame  # the stock import's fields
    stories: pl.DataFrame  # batch, story: what happened to each forward batch (for tests)


def plan_open_lines(open_lines: pl.DataFrame, *, today: dt.date, seed: int) -> ForwardPlan:
    """Forward batches, planned batches, shipments in transit and stock for `open_lines`
    (OPEN_LINE_SCHEMA: the open lines with a planned ship date and their delivered quantity)."""
    rng = np.random.default_rng(seed)
    col = pl.col
    t = pl.lit(today, pl.Date)
    lines = open_lines.filter(col("planned_ship_date").is_not_null()).sort(
        "client", "order", "line"
    )
    lines = lines.with_columns(
        (col("ordered_qty") - col("delivered_qty").fill_null(0.0)).alias("remaining"),
        pl.Series("_unbatched", rng.random(lines.height) < UNBATCHED_SHARE),
    ).filter(col("remaining") > 0)

    # One forward batch per client, product, site and planning week of the lines it fills.
    week = col("planned_ship_date").dt.truncate(f"{CAMPAIGN_DAYS}d")
    batched = lines.filter(~col("_unbatched")).with_columns(week.alias("_campaign"))
    groups = (
        batched.group_by("client", "product", "site", "_campaign")
        .agg(
            col("planned_ship_date").min().alias("_first_ship"),
            col("ordered_qty").sum().alias("_qty"),
        )
        .sort("client", "_campaign", "product", "site")
        .with_columns(
            pl.format(
                "FW-{}-{}-{}",
                col("client"),
                col("_campaign").dt.strftime("%y%m%d"),
                pl.int_range(pl.len()).over("client", "_campaign") + 1,
            ).alias("batch")
        )
    )
    release = col("_first_ship") - pl.duration(days=SHIP_DAYS)
    groups = groups.with_columns(release.alias("planned_release_date")).with_columns(
        (col("planned_release_date") - pl.duration(days=RELEASE_DAYS)).alias("planned_end")
    )
    groups = groups.with_columns(
        (col("planned_end") - pl.duration(days=PRODUCTION_DAYS)).alias("planned_start")
    )
    stories = rng.choice(len(STORIES), size=groups.height, p=STORY_WEIGHTS)
    groups = groups.with_columns(
        pl.Series("story", np.asarray(STORIES)[stories], dtype=pl.String),
        pl.Series("_late", rng.integers(3, 9, groups.height), dtype=pl.Int64),
        pl.Series("_overrun", rng.integers(3, 7, groups.height), dtype=pl.Int64),
    )
    # The one rejected batch: the first whose QC decision is already due on T.
    due = groups.with_row_index("_i").filter(
        (col("planned_release_date") <= t - pl.duration(days=1)) & (col("story") == "on_plan")
    )
    if due.height:
        rejected = due.sort("planned_release_date", descending=True)["_i"][0]
        groups = groups.with_row_index("_i").with_columns(
            pl.when(col("_i") == rejected)
            .then(pl.lit("rejected"))
            .otherwise("story")
            .alias("story")
        )
    groups = _actuals(groups, today)

    batches = groups.select(
        "client",
        "batch",
        "product",
        "site",
        "planned_start",
        "actual_start",
        "planned_end",
        "actual_end",
        "material_ready_date",
        "planned_release_date",
        "actual_release_date",
        (col("_qty") * 1.05).round(0).alias("theoretical_output"),
        pl.when(col("actual_end").is_not_null())
        .then((col("_qty") * 1.02).round(0))
        .alias("actual_output"),
        "disposition",
    )
    planned = batched.join(
        groups.select("client", "product", "site", "_campaign", "batch", "actual_release_date"),
        on=["client", "product", "site", "_campaign"],
        how="left",
        nulls_equal=True,
    )
    shipped = _in_transit(planned, groups, today, rng)
    return ForwardPlan(
        batches=batches,
        planned=pl.concat(
            [
                planned.select("client", "order", "line", col("batch").alias("planned_batch")),
                lines.filter(col("_unbatched")).select(
                    "client", "order", "line", pl.lit(None, pl.String).alias("planned_batch")
                ),
            ]
        ).sort("client", "order", "line"),
        in_transit=shipped,
        stock=_stock(lines, today),
        stories=groups.select("batch", "story"),
    )


def _actuals(groups: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """Material-ready, start, end and release dates as known on `today` (a date after T is not
    known yet), and the QC disposition, by each batch's story."""
    col = pl.col
    t = pl.lit(today, pl.Date)

    def days(expr) -> pl.Expr:
        return pl.duration(days=expr)

    def known(expr: pl.Expr) -> pl.Expr:
        return pl.when(expr <= t).then(expr)

    story = col("story")
    ready = (
        pl.when(story == "material_late")
        .then(col("planned_start") + days(col("_late")))
        .otherwise(col("planned_start") - days(MATERIAL_BUFFER_DAYS))
    )
    start = pl.max_horizontal(col("planned_start"), ready)
    end = (
        start
        + days(PRODUCTION_DAYS)
        + pl.when(story == "production_overrun").then(days(col("_overrun"))).otherwise(days(0))
    )
    decided = end + days(RELEASE_DAYS)
    out = groups.with_columns(
        known(ready).alias("material_ready_date"),
        pl.when(ready <= t).then(known(start)).alias("actual_start"),
        pl.when((ready <= t) & (start <= t)).then(known(end)).alias("actual_end"),
    )
    made = col("actual_end").is_not_null()
    return out.with_columns(
        pl.when(made & (story != "qc_hold")).then(known(decided)).alias("actual_release_date"),
    ).with_columns(
        pl.when(col("actual_release_date").is_not_null() & (story == "rejected"))
        .then(pl.lit("rejected"))
        .when(col("actual_release_date").is_not_null())
        .then(pl.lit("released"))
        # On hold from three days after manufacturing ended, until QC decides.
        .when(made & (story == "qc_hold") & (end + days(3) <= t))
        .then(pl.lit("on_hold"))
        .otherwise(pl.lit(""))
        .alias("disposition")
    )


def _in_transit(
    planned: pl.DataFrame, groups: pl.DataFrame, today: dt.date, rng: np.random.Generator
) -> pl.DataFrame:
    """The remaining quantity of each line whose batch was released, shipped on its planned
    day (or late, for a transport delay) once the batch allowed, if that day has come."""
    col = pl.col
    delay = np.where(
        rng.random(planned.height) < TRANSPORT_DELAY_SHARE, rng.integers(1, 5, planned.height), 0
    )
    released = groups.filter(col("disposition") == "released").select("batch")
    ship = pl.max_horizontal(
        col("planned_ship_date"), col("actual_release_date") + pl.duration(days=1)
    ) + pl.duration(days=col("_delay"))
    return (
        planned.with_columns(pl.Series("_delay", delay, dtype=pl.Int64))
        .join(released, on="batch", how="semi")
        # Not due yet: an overdue open line has not shipped (it would have arrived by now).
        .filter(col("committed_date") >= pl.lit(today, pl.Date))
        .with_columns(ship.alias("shipped_date"))
        .filter(col("shipped_date") <= pl.lit(today, pl.Date))
        .select(
            "client",
            "order",
            "line",
            "shipped_date",
            col("remaining").alias("delivered_qty"),
            pl.format("{}-{}-T", col("order"), col("line")).alias("delivery_id"),
            "batch",
        )
    )


def _stock(lines: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """Stock of the first clients' busiest products at their busiest ship-to: two counts a week
    apart; the latest covers the demand until a few days after the first open line is due, so
    a late line can let it run out."""
    col = pl.col
    clients = lines["client"].unique(maintain_order=True).sort().head(STOCK_CLIENTS)
    busiest = (
        lines.filter(col("client").is_in(clients.implode()) & (col("ship_to") != ""))
        .group_by("client", "product", "ship_to")
        .agg(
            pl.len().alias("n"),
            col("ordered_qty").sum().alias("qty"),
            col("committed_date").min().alias("first_due"),
        )
        .sort(["client", "n", "product", "ship_to"], descending=[False, True, False, False])
        .group_by("client", maintain_order=True)
        .head(STOCK_PRODUCTS)
    )
    counted = today - dt.timedelta(days=1)
    demand = (col("qty") / 42).round(1).clip(lower_bound=1.0)
    days_left = (col("first_due") - pl.lit(counted, pl.Date)).dt.total_days().clip(0) + 4
    latest = busiest.select(
        "client",
        "product",
        col("ship_to").alias("location"),
        pl.lit(counted, pl.Date).alias("date"),
        (demand * days_left).round(0).alias("on_hand"),
        demand.alias("daily_demand"),
    )
    earlier = latest.with_columns(
        (col("date") - pl.duration(days=7)),
        (col("on_hand") + 7 * col("daily_demand")).round(0),
    )
    return pl.concat([earlier, latest]).sort("client", "product", "location", "date")


# ---------------------------------------------------------------------------------------------
# Loading

DELIVERY_COLUMNS = ("shipped_date", "delivered_date", "delivered_qty", "delivery_id", "batch")


def load_early_warning(
    *, folder: Path, today: dt.date, seed: int, progress: Callable[[str], None]
) -> ForwardPlan:
    """Plan the stored open lines forward and import the batches, the lines with their planned
    batches and shipments in transit, and the stock; set one client's early-warning settings."""
    progress("Planning batches for the open lines, shipments in transit and client stock")
    lines, deliveries = _stored_open_lines(today)
    plan = plan_open_lines(
        lines.select(*OPEN_LINE_SCHEMA).with_columns(pl.col("ship_to").fill_null("")),
        today=today,
        seed=seed,
    )
    files = {
        "batches": (import_batches, plan.batches),
        "lines": (import_lines, without_plan(_lines_file(lines, deliveries, plan), today)),
        "stock": (import_stock, plan.stock),
    }
    for name, (import_file, frame) in files.items():
        path = folder / f"demo-forward-{name}.csv"
        frame.write_csv(path, date_format="%Y-%m-%d")
        report = import_file(path=path, actor="demo", principal=SYSTEM)
        if not report.ok:
            raise RuntimeError(f"the demo's forward {name} did not import cleanly: {report}")
    client = Client.objects.order_by("id")[SETTINGS_CLIENT_INDEX]
    set_early_warning(
        client=client,
        values=DEMO_SETTINGS,
        user=get_user_model().objects.get(username="cmo-admin"),
        reason="sea freight from the new port takes longer",
    )
    return plan


def without_plan(lines_file: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """The lines file with NO_PLAN_PER_CLIENT lines per client unplanned: the first (by order
    and line) of those without planned batch or any shipment, due from T to T +
    NO_PLAN_WITHIN_DAYS, lose their planned ship date."""
    col = pl.col
    due = col("committed_date").is_between(
        pl.lit(today, pl.Date), pl.lit(today + dt.timedelta(days=NO_PLAN_WITHIN_DAYS), pl.Date)
    )
    key = ["client", "order", "line"]
    shipped = lines_file.filter(col("shipped_date").is_not_null()).select(key).unique()
    chosen = (
        lines_file.filter(col("planned_batch").is_null() & due)
        .join(shipped, on=key, how="anti")
        .select(key)
        .unique()
        .sort(key)
        .group_by("client", maintain_order=True)
        .head(NO_PLAN_PER_CLIENT)
        .with_columns(pl.lit(True).alias("_no_plan"))
    )
    return (
        lines_file.join(chosen, on=key, how="left")
        .with_columns(
            pl.when(col("_no_plan"))
            .then(None)
            .otherwise(col("planned_ship_date"))
            .alias("planned_ship_date")
        )
        .drop("_no_plan")
        .sort(key, maintain_order=True)
    )


def _stored_open_lines(today: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every field of the open lines (as the lines import names them) and their deliveries."""
    text, date, number = pl.String, pl.Date, pl.Float64
    lines = read_frame(
        """SELECT l.id, c.code, o.number, l.line_number, p.code, s.code, l.ship_to,
                  l.transport_mode, l.ordered_qty, l.unit, l.line_value, l.currency,
                  l.requested_date, l.first_committed_date, l.committed_date,
                  l.planned_ship_date, l.status,
                  (SELECT SUM(d.quantity) FROM orders_delivery d
                   WHERE d.client_id = l.client_id AND d.line_id = l.id
                     AND d.delivered_date IS NOT NULL)
           FROM orders_orderline l
           JOIN tenancy_client c ON c.id = l.client_id
           JOIN orders_order o ON o.id = l.order_id
           JOIN masterdata_product p ON p.id = l.product_id
           LEFT JOIN masterdata_site s ON s.id = l.site_id
           WHERE l.status = 'open' AND l.committed_date >= %s
           ORDER BY c.code, o.number, l.line_number""",
        [today - dt.timedelta(days=14)],
        schema={
            "line_id": pl.Int64,
            "client": text,
            "order": text,
            "line": text,
            "product": text,
            "site": text,
            "ship_to": text,
            "transport_mode": text,
            "ordered_qty": number,
            "unit": text,
            "line_value": number,
            "currency": text,
            "requested_date": date,
            "first_committed_date": date,
            "committed_date": date,
            "planned_ship_date": date,
            "status": text,
            "delivered_qty": number,
        },
    )
    deliveries = read_frame(
        """SELECT d.line_id, d.shipped_date, d.delivered_date, d.quantity, d.delivery_id, d.batch
           FROM orders_delivery d JOIN orders_orderline l
             ON l.client_id = d.client_id AND l.id = d.line_id
           WHERE l.status = 'open' AND l.committed_date >= %s""",
        [today - dt.timedelta(days=14)],
        schema={
            "line_id": pl.Int64,
            "shipped_date": date,
            "delivered_date": date,
            "delivered_qty": number,
            "delivery_id": text,
            "batch": text,
        },
    )
    return lines, deliveries


def _lines_file(lines: pl.DataFrame, deliveries: pl.DataFrame, plan: ForwardPlan) -> pl.DataFrame:
    """The open lines as a lines file: every stored field and delivery unchanged, plus the
    planned batch and the new shipments in transit (the import is the truth for its lines)."""
    key = ["client", "order", "line"]
    line_fields = [c for c in lines.columns if c not in ("line_id", "delivered_qty")]
    described = lines.drop("delivered_qty").join(plan.planned, on=key, how="left")
    stored = described.join(deliveries, on="line_id", how="inner").select(
        *line_fields, "planned_batch", *DELIVERY_COLUMNS
    )
    new = described.join(plan.in_transit, on=key, how="inner").select(
        *line_fields,
        "planned_batch",
        "shipped_date",
        pl.lit(None, pl.Date).alias("delivered_date"),
        "delivered_qty",
        "delivery_id",
        "batch",
    )
    shipped = pl.concat([stored.select(*key), new.select(*key)]).unique()
    nothing = described.join(shipped, on=key, how="anti").select(
        *line_fields,
        "planned_batch",
        *(pl.lit(None, pl.Date if "date" in c else pl.String).alias(c) for c in DELIVERY_COLUMNS),
    )
    nothing = nothing.with_columns(pl.col("delivered_qty").cast(pl.Float64))
    return pl.concat([stored, new, nothing], how="vertical_relaxed").sort(key)
