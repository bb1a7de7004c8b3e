"""Writes of the outlook app: the client's stored projection, replaced whole.

Called explicitly (no signals) after what it depends on changes: imports of lines, batches and
stock (tower.imports.refresh), the demo, the agreement's early-warning settings
(tower.scorecards.services), and daily by the job worker (tasks.py). The services below this app
that change what it reads (an exclusion or a new OTIF definition in tower.performance, a stock
count on the stock page, `tower recompute`) queue it for the worker instead (tasks.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.db import transaction
from django.utils import timezone

from tower.bulk import insert_frame
from tower.engine.projection import PROJECTION_SCHEMA
from tower.outlook.models import LineProjection
from tower.outlook.queries import project_client
from tower.tenancy.locks import lock_clients
from tower.tenancy.models import Client


@dataclass(frozen=True)
class ProjectionRefresh:
    client: str
    as_of: dt.date
    open_lines: int
    at_risk: int


@transaction.atomic
def refresh_projection(*, client: Client, as_of: dt.date | None = None) -> ProjectionRefresh:
    """Project the client's open lines as of `as_of` (today) and store them in place of the
    previous projection."""
    lock_clients([client.code])
    as_of = as_of or timezone.localdate()
    fresh = project_client(client, as_of)
    rows = fresh.select(
        pl.col("line_id"),
        pl.lit(client.pk, dtype=pl.Int64).alias("client_id"),
        pl.lit(as_of, dtype=pl.Date).alias("as_of"),
        *(c for c in PROJECTION_SCHEMA if c != "line_id"),
        "overdue",
        "rank",
        "rank_key",
    )
    table = LineProjection._meta.db_table
    LineProjection.objects.filter(client=client).delete()
    insert_frame(table, rows)
    return ProjectionRefresh(
        client.code,
        as_of,
        fresh.height,
        fresh.filter(pl.col("risk") != "on_track").height,
    )
