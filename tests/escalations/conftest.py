"""A small world for escalations: ACME with a viewer, CMO staff and an admin, site EU1 on
Berlin office hours, open lines, and a three-level escalation matrix."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_user
from tower.agreements import services as agreements
from tower.calendars.services import build_calendar, set_calendar
from tower.masterdata.models import Site
from tower.orders.models import OrderLine
from tower.tenancy.models import Client, Role
from tower.tenancy.scoping import SYSTEM

BERLIN = ZoneInfo("Europe/Berlin")
LEVELS = [
    {
        "cmo_person": "Ann Planner",
        "cmo_role": "Customer service",
        "cmo_email": "ann@cmo.example",
        "client_person": "Bob Buyer",
        "client_role": "Supply planner",
        "client_email": "bob@acme.example",
        "response_hours": "4",
        "site": "EU1",
    },
    {
        "cmo_person": "Cora Lead",
        "cmo_role": "Supply chain manager",
        "cmo_email": "cora@cmo.example",
        "client_person": "",
        "client_role": "Head of supply",
        "client_email": "head@acme.example",
        "response_hours": "2",
        "site": "EU1",
    },
    {
        "cmo_person": "Dan Director",
        "cmo_role": "Site director",
        "cmo_email": "dan@cmo.example",
        "client_person": "Eve Exec",
        "client_role": "VP operations",
        "client_email": "",
        "response_hours": "8",
        "site": "",
    },
]


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@dataclass
class EscalationWorld:
    acme: Client
    globex: Client
    site: Site
    lines: list[OrderLine]
    viewer: object
    staff: object
    admin: object
    globex_viewer: object


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ew(acme, globex, write_csv, run_import, settings) -> EscalationWorld:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = run_import(
        write_csv(
            "client,order,line,product,site,ordered_qty,committed_date,status\n"
            "ACME,ACME-SO-1,1,ACME-AMOXI-500,EU1,10,2026-12-20,open\n"
            "ACME,ACME-SO-1,2,ACME-IBUPRO-200,EU1,10,2026-12-22,open\n"
            "ACME,ACME-SO-2,1,ACME-AMOXI-500,EU1,10,2026-12-28,open\n"
            "GLOBEX,GLOBEX-SO-1,1,GLOBEX-X,EU1,10,2026-12-20,open\n"
        ),
        create_missing=True,
    )
    assert report.ok, report.errors
    site = Site.objects.get(code="EU1")
    set_calendar(
        site=site,
        calendar=build_calendar(days="mon-fri", hours="08:00-17:00", time_zone="Europe/Berlin"),
        user=SYSTEM,
    )
    agreements.set_escalation_levels(client=acme, levels=LEVELS, user=SYSTEM)
    agreements.set_escalation_levels(client=globex, levels=LEVELS[:1], user=SYSTEM)
    return EscalationWorld(
        acme=acme,
        globex=globex,
        site=site,
        lines=list(
            OrderLine.objects.filter(client=acme)
            .select_related("order")
            .order_by("order__number", "line_number")
        ),
        viewer=make_user("viewer", acme, Role.CLIENT_VIEWER),
        staff=make_user("staff", acme, Role.CMO_STAFF),
        admin=make_user("admin", admin=True),
        globex_viewer=make_user("gviewer", globex, Role.CLIENT_VIEWER),
    )
