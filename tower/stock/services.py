"""Writes of the client's stock: one row updated on the stock page (the import writes files of
them through tower.imports). Keyword-only, taking the acting user, audited.

The projection of client stock-outs (kpis.md 8) is computed from these rows by the outlook,
which sits above this app: a change queues the client's projection for the job worker
(tower.jobs.services.queue_refresh, handled in tower.outlook.tasks).
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction

from tower.ingest.limits import MAX_NUMBER
from tower.jobs.services import PROJECT_OPEN_LINES, queue_refresh
from tower.stock.models import ClientStock
from tower.tenancy.models import CLIENT_ROLES
from tower.tenancy.scoping import CMO_ROLES, require_role
from tower.workflow import WorkflowError, audit_as

# The client's users share their stock; the CMO's staff may key it in for them.
STOCK_EDITORS = frozenset(CLIENT_ROLES | CMO_ROLES)


def check_quantities(on_hand: float, daily_demand: float) -> None:
    """On hand from 0 and daily demand above 0, both finite and at most MAX_NUMBER."""
    for name, value in (("On hand", on_hand), ("Daily demand", daily_demand)):
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise WorkflowError(f"{name} must be a number.")
        if abs(value) > MAX_NUMBER:
            raise WorkflowError(f"{name} must be at most {MAX_NUMBER:,.0f}.")
    if on_hand < 0:
        raise WorkflowError("On hand cannot be negative.")
    if daily_demand <= 0:
        raise WorkflowError(
            "Daily demand must be more than 0 (the cover in days is on hand / daily demand)."
        )


@transaction.atomic
def update_stock(
    *, row: ClientStock, on_hand: float, daily_demand: float, date: dt.date, user, reason: str = ""
) -> ClientStock:
    """Set one stock row's count date, on hand and daily demand. Another row of the same
    product and location on the new date is refused (the rows are snapshots by date)."""
    require_role(user, row.client, STOCK_EDITORS, "update the client's stock")
    check_quantities(on_hand, daily_demand)
    if not dt.date(1900, 1, 1) <= date <= dt.date(2999, 12, 31):
        raise WorkflowError("The date must lie in the years 1900 to 2999.")
    taken = (
        ClientStock.objects.filter(
            client=row.client, product=row.product, location=row.location, date=date
        )
        .exclude(pk=row.pk)
        .exists()
    )
    if taken:
        raise WorkflowError(
            f"{row.product.code} in {row.location} already has a stock row on {date:%Y-%m-%d}: "
            "update that one."
        )
    if (row.on_hand, row.daily_demand, row.date) == (on_hand, daily_demand, date):
        return row
    row.on_hand, row.daily_demand, row.date = on_hand, daily_demand, date
    audit_as(row, user, reason or "updated on the stock page")
    row.save()
    queue_refresh(kind=PROJECT_OPEN_LINES, client=row.client, because="a stock count")
    return row
