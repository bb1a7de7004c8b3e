"""Reads of escalations for other pages: the board and the dashboard list the open ones with
their clocks (`open_escalations`), and `acknowledged_in_time` counts the KPI the scorecard's way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from tower.escalations.models import Escalation
from tower.escalations.services import who_of
from tower.tenancy.models import Client


@dataclass(frozen=True)
class OpenEscalation:
    """One open escalation with its clock, as a row of a list."""

    pk: int
    url: str
    client_code: str
    client_name: str
    kind: str
    title: str
    subject_label: str
    subject_url: str
    site_code: str
    level: int
    levels: int
    cmo: str
    client_contact: str
    opened_at: dt.datetime
    deadline: dt.datetime | None
    acknowledged: bool
    overdue: bool  # the current level's deadline passed without acknowledgement
    zone: str  # the clock's time zone (its level's site calendar): its times are shown in it


def open_escalations(
    clients: Iterable[Client],
    *,
    site: str | None = None,
    now: dt.datetime | None = None,
    limit: int | None = None,
) -> list[OpenEscalation]:
    """The open escalations of `clients` (already scoped to the user, e.g. visible_clients),
    optionally of one site, soonest deadline first (acknowledged ones after); one query."""
    now = now or timezone.now()
    rows = (
        Escalation.objects.filter(
            client_id__in=[c.pk for c in clients], status=Escalation.Status.OPEN
        )
        .select_related("client", "site")
        .order_by(
            F("acknowledged_at").asc(nulls_first=True), F("deadline").asc(nulls_last=True), "pk"
        )
    )
    if site:
        rows = rows.filter(site__code=site)
    if limit is not None:
        rows = rows[:limit]
    found = []
    for e in rows:
        level = e.current_level or {}
        found.append(
            OpenEscalation(
                pk=e.pk,
                url=reverse("escalations:detail", args=[e.pk]),
                client_code=e.client.code,
                client_name=e.client.name,
                kind=e.get_kind_display(),
                title=e.title,
                subject_label=e.subject_label,
                subject_url=e.subject_url,
                site_code=e.site.code if e.site else "",
                level=e.level,
                levels=len(e.levels),
                cmo=who_of(level, "cmo") if level else "",
                client_contact=who_of(level, "client") if level else "",
                opened_at=e.opened_at,
                deadline=e.deadline,
                acknowledged=e.acknowledged_at is not None,
                overdue=e.acknowledged_at is None and e.deadline is not None and e.deadline <= now,
                zone=e.clock_zone,
            )
        )
    return found


def acknowledged_in_time(
    client: Client, start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None
) -> tuple[int, int]:
    """(acknowledged by the first level's deadline, decided) for the escalations whose first
    deadline falls in [start, end) (kpis.md 9), by the scorecard's rule
    (tower.engine.scorecard.acknowledged_escalations, which places them by the site's local
    date): one unacknowledged when its deadline passed (by `now`) is a miss, one whose deadline
    is still ahead is not decided yet."""
    now = now or timezone.now()
    in_time = Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("first_deadline"))
    counts = Escalation.objects.filter(
        client=client, first_deadline__gte=start, first_deadline__lt=end
    ).aggregate(
        decided=Count("pk", filter=in_time | Q(first_deadline__lte=now)),
        in_time=Count("pk", filter=in_time),
    )
    return counts["in_time"], counts["decided"]
