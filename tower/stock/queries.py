"""Reads of the client's stock, taking an already scoped queryset (ClientStock.objects.visible_to)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, OuterRef, QuerySet, Subquery

from tower.stock.models import ClientStock

SORTS = {
    "client": "client__code",
    "product": "product__code",
    "location": "location",
    "date": "date",
    "on_hand": "on_hand",
    "demand": "daily_demand",
    "cover": "cover",
}
DEFAULT_SORT = "cover"


def with_cover(rows: QuerySet) -> QuerySet:
    """Each row with `cover` (days: on hand / daily demand, which is never 0)."""
    return rows.annotate(cover=F("on_hand") / F("daily_demand"))


def latest_only(rows: QuerySet) -> QuerySet:
    """Only the newest row of each product and location (what the projection starts from)."""
    newest = ClientStock.objects.filter(
        client=OuterRef("client"), product=OuterRef("product"), location=OuterRef("location")
    ).order_by("-date")
    return rows.filter(date=Subquery(newest.values("date")[:1]))


def cover_end(row: ClientStock) -> dt.date:
    """The day the stock runs out at its daily demand, counted from its date (whole days)."""
    return row.date + dt.timedelta(days=int(row.on_hand // row.daily_demand))
