"""What the scorecard reads of escalations: each one's first-level deadline and acknowledgement
(kpis.md 9, the KPI "escalations acknowledged in time"), for some clients and a span of dates.

An escalation belongs to the period in which its first level's deadline falls, by the local date
of the clock's site (the calendar of level 1 kept with it): by the end of that period every
escalation of it is decided, in time or not, and a closed month's figure cannot move. The local
times are what the evidence shows ("in the site's time"); the UTC ones decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import polars as pl

from tower.engine.schemas import ESCALATION_SCHEMA
from tower.escalations.models import Escalation
from tower.tenancy.models import Client

# A local date lies within this much of the UTC one (time zones run from -12:00 to +14:00).
ZONE_REACH = dt.timedelta(days=1)


def _zone(matrix: dict) -> ZoneInfo:
    levels = (matrix or {}).get("levels") or [{}]
    name = (levels[0].get("calendar") or {}).get("time_zone") or "UTC"
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _local(moment: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)


def escalations(clients: Sequence[Client], start: dt.date, end: dt.date) -> pl.DataFrame:
    """The clients' escalations whose first-level deadline falls in start..end, local date of
    the clock's site (ESCALATION_SCHEMA; `judged_at` null: the caller sets it for closed
    months). One query; a client has tens of escalations a month, not millions."""
    if not clients:
        return pl.DataFrame(schema=ESCALATION_SCHEMA)
    first = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC) - ZONE_REACH
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC) + ZONE_REACH
    kinds = dict(Escalation.Kind.choices)
    rows = []
    for e in (
        Escalation.objects.filter(
            client_id__in=[c.pk for c in clients],
            first_deadline__gte=first,
            first_deadline__lt=last,
        )
        .order_by("first_deadline", "pk")
        .values_list(
            "pk",
            "client_id",
            "title",
            "kind",
            "site__code",
            "opened_at",
            "first_deadline",
            "acknowledged_at",
            "matrix",
            "acknowledged_by_name",
            "level",
        )
    ):
        pk, client_id, title, kind, site, opened, due, acknowledged, matrix, by, level = e
        zone = _zone(matrix)
        local_due = _local(due, zone)
        if not start <= local_due.date() <= end:
            continue
        rows.append(
            (
                pk,
                client_id,
                title,
                kinds.get(kind, kind),
                site or "",
                opened,
                due,
                acknowledged,
                local_due.date(),
                _local(opened, zone),
                local_due,
                _local(acknowledged, zone),
                zone.key,
                by,
                level,
                None,
            )
        )
    return pl.DataFrame(rows, schema=ESCALATION_SCHEMA, orient="row")
