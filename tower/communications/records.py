"""What the scorecard reads of one voice: the late lines of some clients and the first delay
notice that covered each (kpis.md 8, the notice KPIs), in one query. A month close keeps them in
its snapshot (kind "late_lines", registered in apps.py; tower.performance.frozen)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from tower.bulk import read_frame
from tower.tenancy.models import Client

LATE_LINES = {
    "line_id": pl.Int64,
    "order": pl.String,
    "line": pl.String,
    "product": pl.String,
    "period": pl.Date,
    "due_date": pl.Date,
    "completion_date": pl.Date,
    "days_late": pl.Int64,
    "first_notice_date": pl.Date,
    "client_id": pl.Int64,
}


def late_lines(clients: Sequence[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    """Measured lines not on time whose period lies in start..end, each with the date of the
    earliest delay notice that covered it (null when none did)."""
    if not clients:
        return pl.DataFrame(schema=LATE_LINES)
    marks = ", ".join(["%s"] * len(clients))
    return read_frame(
        f"""SELECT o.line_id, ord.number, l.line_number, p.code, o.period, o.due_date,
                   o.completion_date, o.days_late, MIN(n.sent_on), o.client_id
            FROM performance_lineoutcome o
            JOIN orders_orderline l ON l.id = o.line_id
            JOIN orders_order ord ON ord.id = l.order_id
            JOIN masterdata_product p ON p.id = l.product_id
            LEFT JOIN communications_noticeline nl
              ON nl.client_id = o.client_id AND nl.line_id = o.line_id
            LEFT JOIN communications_delaynotice n
              ON n.client_id = nl.client_id AND n.id = nl.notice_id
            WHERE o.client_id IN ({marks}) AND o.state = 'measured' AND o.on_time = %s
              AND o.period BETWEEN %s AND %s
            GROUP BY o.line_id, ord.number, l.line_number, p.code, o.period, o.due_date,
                     o.completion_date, o.days_late, o.client_id
            ORDER BY o.due_date, ord.number, l.line_number""",
        [*(c.pk for c in clients), False, start, end],
        schema=LATE_LINES,
    )
