"""Reading clients' stock-outs for a span of dates into the frame tower.engine.scorecard takes.

The other records are read by tower.performance.records; clients are already scoped by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from tower.bulk import read_for_clients
from tower.tenancy.models import Client


def stock_outs(clients: Iterable[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    """Stock-outs that started by `end` and had not ended before `start`."""
    return read_for_clients(
        clients,
        """SELECT e.id, p.code, e.location, e.start_date, e.end_date, e.cmo_caused, e.attribution,
                  e.source,
                  (SELECT COUNT(*) FROM stockouts_stockoutlink k WHERE k.event_id = e.id), e.client_id
           FROM stockouts_stockoutevent e JOIN masterdata_product p ON p.id = e.product_id
           WHERE e.client_id IN ({marks}) AND e.start_date <= %s
             AND (e.end_date IS NULL OR e.end_date >= %s)""",
        [end, start],
        schema={
            "event_id": pl.Int64,
            "product": pl.String,
            "location": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "cmo_caused": pl.Boolean,
            "attribution": pl.String,
            "source": pl.String,
            "linked_lines": pl.Int64,
            "client_id": pl.Int64,
        },
    )
