"""Reading clients' records for a span of dates into the frames tower.engine.scorecard takes.

Batches, deviations, CAPAs and plan weeks (tower.quality), shipments and the monthly shipping
counts. The stock-outs are read by tower.stockouts.records.

Each reader runs one query (set-based, through tower.bulk.read_frame) limited to the clients and
the dates the scorecard looks at, so a scorecard with its trend costs the same few queries
whatever the size of the client's history. Clients are already scoped by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from tower.bulk import read_for_clients
from tower.engine import schemas as engine_schemas
from tower.tenancy.models import Client

DATE = pl.Date
TEXT = pl.String
NUMBER = pl.Float64

# Every frame ends with the row's client (client_id): a closed month of one client is read from
# its snapshot and the live rows of that month left out (tower.performance.frozen).
CLIENT = {"client_id": pl.Int64}
# The engine's batch columns, with the row id (for links) and the deviations counted per batch.
BATCH_SCHEMA = {
    "batch_id": pl.Int64,
    **engine_schemas.BATCH_SCHEMA,
    "deviations": pl.Int64,
    **CLIENT,
}


def batches(clients: Iterable[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    """Batches started, completed or dispositioned between start and end."""
    return read_for_clients(
        clients,
        """SELECT b.id, b.number, p.code, s.code, b.planned_start, b.actual_start, b.planned_end,
                  b.actual_end, b.material_ready_date, b.planned_release_date,
                  b.actual_release_date, b.theoretical_output, b.actual_output, b.disposition,
                  (SELECT COUNT(*) FROM quality_deviation d WHERE d.batch_id = b.id), b.client_id
           FROM quality_batch b
           JOIN masterdata_product p ON p.id = b.product_id
           LEFT JOIN masterdata_site s ON s.id = b.site_id
           WHERE b.client_id IN ({marks})
             AND (b.actual_start BETWEEN %s AND %s OR b.actual_end BETWEEN %s AND %s
                  OR b.actual_release_date BETWEEN %s AND %s)
           ORDER BY b.number""",
        [*(start, end) * 3],
        schema=BATCH_SCHEMA,
    )


def deviations(clients: Iterable[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    return read_for_clients(
        clients,
        """SELECT d.number, b.number, s.code, d.opened_date, d.closed_date, d.severity,
                  d.category, d.area_id, d.title, d.client_id
           FROM quality_deviation d
           LEFT JOIN quality_batch b ON b.id = d.batch_id
           LEFT JOIN masterdata_site s ON s.id = d.site_id
           WHERE d.client_id IN ({marks}) AND d.opened_date BETWEEN %s AND %s""",
        [start, end],
        schema={**engine_schemas.DEVIATION_SCHEMA, **CLIENT},
    )


def capas(clients: Iterable[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    return read_for_clients(
        clients,
        """SELECT c.number, d.number, c.title, c.due_date, c.closed_date, c.client_id
           FROM quality_capa c LEFT JOIN quality_deviation d ON d.id = c.deviation_id
           WHERE c.client_id IN ({marks}) AND c.due_date BETWEEN %s AND %s""",
        [start, end],
        schema={**engine_schemas.CAPA_SCHEMA, **CLIENT},
    )


def plan(clients: Iterable[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    return read_for_clients(
        clients,
        """SELECT p.code, s.code, w.week, w.planned_qty, w.released_qty, w.client_id
           FROM quality_planweek w
           JOIN masterdata_product p ON p.id = w.product_id
           JOIN masterdata_site s ON s.id = w.site_id
           WHERE w.client_id IN ({marks}) AND w.week BETWEEN %s AND %s""",
        [start, end],
        schema={**engine_schemas.PLAN_SCHEMA, **CLIENT},
    )


def monthly_shipping(
    clients: Iterable[Client],
    start: dt.date,
    end: dt.date,
    *,
    site: str | None = None,
    product: str | None = None,
    by_place: bool = False,
) -> pl.DataFrame:
    """The stored monthly shipping counts (performance.MonthlyShipping) of start..end, summed per
    client and month in the database (a client has one row per site, product and month:
    thousands); per site and product too with `by_place` (a closed month's snapshot, which a
    page narrows to a site or product afterwards)."""
    narrow, params = "", []
    if site:
        narrow += " AND m.site_id IN (SELECT id FROM masterdata_site WHERE code = %s)"
        params.append(site)
    if product:
        narrow += " AND m.product_id IN (SELECT id FROM masterdata_product WHERE code = %s)"
        params.append(product)
    place, join, places = "", "", {}
    if by_place:
        place = ", s.code, p.code"
        join = (
            " JOIN masterdata_product p ON p.id = m.product_id"
            " LEFT JOIN masterdata_site s ON s.id = m.site_id"
        )
        places = {"site": TEXT, "product": TEXT}
    return read_for_clients(
        clients,
        f"""SELECT m.period, SUM(m.shipped), SUM(m.on_plan), SUM(m.unplanned), m.client_id{place}
            FROM performance_monthlyshipping m{join}
            WHERE m.client_id IN ({{marks}}) AND m.period BETWEEN %s AND %s{narrow}
            GROUP BY m.client_id, m.period{place}""",
        [start, end, *params],
        schema={
            "period": DATE,
            "shipped": pl.Int64,
            "on_plan": pl.Int64,
            "unplanned": pl.Int64,
            **CLIENT,
            **places,
        },
    )


def shipments(clients: Iterable[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    """One row per delivery shipped between start and end, with its line (the evidence)."""
    return read_for_clients(
        clients,
        """SELECT d.line_id, o.number, l.line_number, p.code, d.delivery_id, d.shipped_date,
                  l.planned_ship_date
           FROM orders_delivery d
           JOIN orders_orderline l ON l.id = d.line_id
           JOIN orders_order o ON o.id = l.order_id
           JOIN masterdata_product p ON p.id = l.product_id
           WHERE d.client_id IN ({marks}) AND d.shipped_date BETWEEN %s AND %s
           ORDER BY d.shipped_date, o.number, l.line_number""",
        [start, end],
        schema={
            "line_id": pl.Int64,
            "order": TEXT,
            "line": TEXT,
            "product": TEXT,
            "delivery": TEXT,
            "shipped_date": DATE,
            "planned_ship_date": DATE,
        },
    )


# The measured order lines of a month as its OTIF KPIs count them: the record lists behind
# net and gross OTIF and on-time delivery, and the penalty exposure's line values. A closed
# month keeps them in its snapshot (tower.performance.frozen, kind "lines").
LINE_SCHEMA = {
    "line_id": pl.Int64,
    "order": TEXT,
    "line": TEXT,
    "product": TEXT,
    "period": DATE,
    "due_date": DATE,
    "completion_date": DATE,
    "days_late": pl.Int64,
    "on_time": pl.Boolean,
    "in_full": pl.Boolean,
    "otif": pl.Boolean,
    "root_cause": TEXT,
    "root_cause_status": TEXT,
    "cmo_attributable": pl.Boolean,
    "line_value": NUMBER,
    **CLIENT,
}


def measured_lines(clients: Iterable[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    """Measured lines whose period (the month of the due date) lies in start..end, with their
    outcome, root cause (code, state, whether its area counts against the CMO) and line value."""
    return read_for_clients(
        clients,
        """SELECT o.line_id, ord.number, l.line_number, p.code, o.period, o.due_date,
                  o.completion_date, o.days_late, o.on_time, o.in_full, o.otif, rc.code_id,
                  rc.status, a.cmo_attributable, l.line_value, o.client_id
           FROM performance_lineoutcome o
           JOIN orders_orderline l ON l.client_id = o.client_id AND l.id = o.line_id
           JOIN orders_order ord ON ord.client_id = l.client_id AND ord.id = l.order_id
           JOIN masterdata_product p ON p.client_id = l.client_id AND p.id = l.product_id
           LEFT JOIN performance_rootcause rc
             ON rc.client_id = o.client_id AND rc.line_id = o.line_id
           LEFT JOIN masterdata_rootcausecode c ON c.code = rc.code_id
           LEFT JOIN masterdata_functionalarea a ON a.code = c.area_id
           WHERE o.client_id IN ({marks}) AND o.state = 'measured'
             AND o.period BETWEEN %s AND %s
           ORDER BY o.due_date, ord.number, l.line_number""",
        [start, end],
        schema=LINE_SCHEMA,
    )


def line_digest(clients: Iterable[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    """Per client and month of start..end, what tells whether its measured lines changed (a
    closed month's "newer data exists") without reading every line: their count, on-time and
    OTIF counts, the days late and the line values summed (digest_of computes it from lines)."""
    frame = read_for_clients(
        clients,
        """SELECT o.client_id, o.period, COUNT(*),
                  SUM(CASE WHEN o.on_time THEN 1 ELSE 0 END),
                  SUM(CASE WHEN o.otif THEN 1 ELSE 0 END), COALESCE(SUM(o.days_late), 0),
                  COALESCE(SUM(l.line_value), 0), COUNT(l.line_value)
           FROM performance_lineoutcome o
           JOIN orders_orderline l ON l.client_id = o.client_id AND l.id = o.line_id
           WHERE o.client_id IN ({marks}) AND o.state = 'measured'
             AND o.period BETWEEN %s AND %s
           GROUP BY o.client_id, o.period""",
        [start, end],
        schema={"client_id": pl.Int64, "period": DATE, **DIGEST},
    )
    return frame.with_columns(pl.col("value").round(6))


DIGEST = {
    "lines": pl.Int64,
    "on_time": pl.Int64,
    "otif": pl.Int64,
    "days_late": pl.Int64,
    "value": NUMBER,
    "valued": pl.Int64,
}


def digest_of(lines: pl.DataFrame) -> pl.DataFrame:
    """line_digest of one month's measured lines (a snapshot's frame): one row, or none."""
    if lines.is_empty():
        return pl.DataFrame(schema=DIGEST)
    return lines.select(
        pl.len().cast(pl.Int64).alias("lines"),
        pl.col("on_time").cast(pl.Int64).sum().alias("on_time"),
        pl.col("otif").cast(pl.Int64).sum().alias("otif"),
        pl.col("days_late").sum().cast(pl.Int64).alias("days_late"),
        pl.col("line_value").sum().round(6).alias("value"),
        pl.col("line_value").count().cast(pl.Int64).alias("valued"),
    )
