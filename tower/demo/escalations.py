"""The demo's escalation part (kpis.md 9): a calendar per site, an escalation matrix and triggers
per client, and a few escalations of the first two clients: one moving up the levels on its
clock, one acknowledged, one resolved, and those the triggers open; all through the services."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from tower.agreements.services import set_escalation_levels, set_escalation_trigger
from tower.calendars.services import build_calendar, set_calendar
from tower.escalations import services as escalations
from tower.escalations.triggers import evaluate_triggers
from tower.masterdata.models import Site
from tower.orders.models import OrderLine
from tower.tenancy.models import Client
from tower.tenancy.scoping import SYSTEM

# Site calendars by country: day shifts, the local holidays around the turn of the year.
SITE_CALENDARS = {
    "FR": ("mon-fri", "07:30-17:30", "Europe/Paris", ["12-25", "01-01", "05-01", "07-14"]),
    "IE": ("mon-fri", "08:00-17:00", "Europe/Dublin", ["12-25", "12-26", "01-01", "03-17"]),
    "CH": ("mon-sat", "06:00-22:00", "Europe/Zurich", ["12-25", "12-26", "01-01", "08-01"]),
}


def _holidays(days: list[str], today: dt.date) -> list[dt.date]:
    return sorted(
        dt.date.fromisoformat(f"{year}-{day}")
        for year in (today.year, today.year + 1)
        for day in days
    )


def _matrix(client: Client, site: Site | None) -> list[dict]:
    slug = client.code.lower()
    return [
        {
            "cmo_person": "Planner",
            "cmo_role": "Customer service planner",
            "cmo_email": "planner@example.com",
            "client_person": "",
            "client_role": "Supply planner",
            "client_email": f"{slug}-viewer@example.com",
            "response_hours": "4",
            "site": site.code if site else "",
        },
        {
            "cmo_person": "",
            "cmo_role": "Supply chain manager",
            "cmo_email": "supply-manager@example.com",
            "client_person": "",
            "client_role": "Head of supply",
            "client_email": f"{slug}-approver@example.com",
            "response_hours": "8",
            "site": site.code if site else "",
        },
        {
            "cmo_person": "",
            "cmo_role": "Site director",
            "cmo_email": "site-director@example.com",
            "client_person": "",
            "client_role": "VP external manufacturing",
            "client_email": "",
            "response_hours": "16",
            "site": site.code if site else "",
        },
    ]


def build_escalations(clients: list[Client]) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    for site in Site.objects.order_by("code"):
        days, hours, zone, holidays = SITE_CALENDARS.get(
            site.country, ("mon-fri", "08:00-17:00", "Europe/Berlin", ["12-25", "01-01"])
        )
        set_calendar(
            site=site,
            calendar=build_calendar(
                days=days, hours=hours, time_zone=zone, holidays=_holidays(holidays, today)
            ),
            user=SYSTEM,
            reason="demo: agreed shift pattern",
        )
    for client in clients:
        line = OrderLine.objects.filter(client=client, site__isnull=False).first()
        set_escalation_levels(
            client=client,
            levels=_matrix(client, line.site if line else None),
            user=SYSTEM,
            reason="demo: escalation workshop",
        )
    # The first two clients escalate major deviations and stock-outs they report by themselves;
    # late lines at 10 days (the worker checks them every minute once it runs).
    for client in clients[:2]:
        for kind, threshold in (
            ("deviation", None),
            ("stock_out_reported", None),
            ("line_late", 10),
            ("notice_unacknowledged", 16),
        ):
            set_escalation_trigger(
                client=client, kind=kind, enabled=True, threshold=threshold, user=SYSTEM
            )
    User = get_user_model()
    planner = User.objects.get(username="planner")
    for client in clients[:2]:
        slug = client.code.lower()
        viewer = User.objects.get(username=f"{slug}-viewer")
        approver = User.objects.get(username=f"{slug}-approver")
        lines = list(
            OrderLine.objects.filter(client=client, status="open", site__isnull=False)
            .select_related("order")
            .order_by("committed_date", "pk")[:3]
        )
        if len(lines) < 3:
            continue
        # Opened three days ago and never acknowledged: the clock below moves it up its levels.
        escalations.open_by_hand(
            client=client,
            title="Urgent: the order is needed for a tender launch",
            text="Our launch depends on this line; please call us.",
            user=viewer,
            line=lines[0],
            now=now - dt.timedelta(days=3),
        )
        acknowledged = escalations.open_by_hand(
            client=client,
            title="QC release of the batch slipped twice",
            text="We see the release date moving; what is the plan?",
            user=approver,
            line=lines[1],
            now=now - dt.timedelta(hours=2),
        )
        escalations.acknowledge(
            escalation=acknowledged,
            user=planner,
            comment="Seen: QC runs the retest tonight, we call you tomorrow 9:00.",
            now=now - dt.timedelta(hours=1),
        )
        resolved = escalations.open_by_hand(
            client=client,
            title="Shipment documents missing at the border",
            text="",
            user=planner,
            line=lines[2],
            now=now - dt.timedelta(days=10),
        )
        escalations.acknowledge(
            escalation=resolved, user=viewer, now=now - dt.timedelta(days=10, hours=-1)
        )
        escalations.resolve(
            escalation=resolved,
            user=planner,
            text="Certificates sent to the forwarder; the truck cleared customs.",
            now=now - dt.timedelta(days=9),
        )
    escalations.advance_clocks(now=now)
    evaluate_triggers(now=now, client_ids=[c.pk for c in clients[:2]])
