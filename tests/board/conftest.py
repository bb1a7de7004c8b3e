"""A small board world: ACME and GLOBEX, the board's day DAY (Tuesday 7 April 2026).

ACME's lines (default definition, late_days=0: a line due yesterday not complete has failed):
  A-1  due 04-06 EU1, delivered 04-06 in full                 OTIF: not on the board
  A-2  due 04-06 EU1, delivered 04-06, 80 of 100              missed (short)
  A-3  due 04-06 US1, delivered 04-06, 10 of 50               missed (short), site US1
  A-4  due 04-06 EU1, open, nothing delivered                 missed (not delivered)
  A-5  due 04-05 EU1, delivered 04-05, 5 of 50                missed the day before: not listed
  A-6  due 04-07 EU1, open, no plan                           at risk today (no plan)
  A-7  due 04-09 US1, open, no plan                           at risk this week
  A-8  due 04-13 EU1, open, no plan                           at risk this week (its last day)
  A-9  due 04-14 EU1, open, no plan                           after this week: not listed
GLOBEX (late_days=1: a line due yesterday is measured only from tomorrow): GLOBEX-1 due 04-06
EU1, 50 of 100 delivered: still open inside the tolerance; GLOBEX-2 due 04-07 open (at risk).
Deviations: ACME DEV-1 major opened 04-06 EU1, DEV-2 minor opened 04-06 US1, DEV-3 critical
opened 04-05; GLOBEX GDEV-1 opened 04-06.
Batches (ACME): B-1 release planned 04-08 pending; B-2 planned 04-03 pending (overdue);
B-3 planned 04-08 but released 04-07; B-4 planned 04-14 (after the week); B-5 planned 04-13
on hold. GLOBEX: GB-1 planned 04-08.
Outcomes are evaluated as of DAY, the projection is refreshed as of DAY.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.conftest import make_user
from tower.masterdata.models import Product, Site
from tower.outlook.services import refresh_projection
from tower.performance import services
from tower.quality.models import Batch, Deviation, Disposition, Severity
from tower.tenancy.models import Client, Role

DAY = dt.date(2026, 4, 7)
HEADER = (
    "client,order,line,product,site,ordered_qty,committed_date,status,"
    "delivered_date,delivered_qty,delivery_id"
)
ACME_LINES = """
ACME,A-1,1,ACME-P1,EU1,100,2026-04-06,closed,2026-04-06,100,D1
ACME,A-2,1,ACME-P1,EU1,100,2026-04-06,closed,2026-04-06,80,D2
ACME,A-3,1,ACME-P2,US1,50,2026-04-06,closed,2026-04-06,10,D3
ACME,A-4,1,ACME-P1,EU1,40,2026-04-06,open,,,
ACME,A-5,1,ACME-P1,EU1,50,2026-04-05,closed,2026-04-05,5,D5
ACME,A-6,1,ACME-P1,EU1,10,2026-04-07,open,,,
ACME,A-7,1,ACME-P2,US1,10,2026-04-09,open,,,
ACME,A-8,1,ACME-P1,EU1,10,2026-04-13,open,,,
ACME,A-9,1,ACME-P1,EU1,10,2026-04-14,open,,,
"""
GLOBEX_LINES = """
GLOBEX,GLOBEX-1,1,GLOBEX-P1,EU1,100,2026-04-06,closed,2026-04-06,50,GD1
GLOBEX,GLOBEX-2,1,GLOBEX-P1,EU1,10,2026-04-07,open,,,
"""


@dataclass
class BoardWorld:
    acme: Client
    globex: Client
    admin: object
    acme_staff: object
    acme_viewer: object


def _batch(client, number, planned, *, released=None, disposition=Disposition.PENDING):
    return Batch.objects.create(
        client=client,
        number=number,
        product=Product.objects.get(client=client, code=f"{client.code}-P1"),
        site=Site.objects.get(code="EU1"),
        planned_release_date=planned,
        actual_release_date=released,
        disposition=disposition,
    )


def _deviation(client, number, opened, severity, site="EU1"):
    return Deviation.objects.create(
        client=client,
        number=number,
        site=Site.objects.get(code=site),
        opened_date=opened,
        severity=severity,
        title=f"{number} title",
    )


@pytest.fixture
def board_world(acme, globex, write_csv, run_import) -> BoardWorld:
    run_import(write_csv(HEADER + ACME_LINES + GLOBEX_LINES.lstrip("\n")), create_missing=True)
    services.set_definition(
        client=globex, parameters={"late_days": 1}, actor="test", note="board world"
    )
    for client in (acme, globex):
        services.refresh_outcomes(client=client, trigger="test", as_of=DAY)
        refresh_projection(client=client, as_of=DAY)
    _deviation(acme, "DEV-1", dt.date(2026, 4, 6), Severity.MAJOR)
    _deviation(acme, "DEV-2", dt.date(2026, 4, 6), Severity.MINOR, site="US1")
    _deviation(acme, "DEV-3", dt.date(2026, 4, 5), Severity.CRITICAL)
    _deviation(globex, "GLOBEX-DEV-1", dt.date(2026, 4, 6), Severity.CRITICAL)
    _batch(acme, "B-1", dt.date(2026, 4, 8))
    _batch(acme, "B-2", dt.date(2026, 4, 3))
    _batch(
        acme,
        "B-3",
        dt.date(2026, 4, 8),
        released=dt.date(2026, 4, 7),
        disposition=Disposition.RELEASED,
    )
    _batch(acme, "B-4", dt.date(2026, 4, 14))
    _batch(acme, "B-5", dt.date(2026, 4, 13), disposition=Disposition.ON_HOLD)
    _batch(globex, "GLOBEX-B-1", dt.date(2026, 4, 8))
    return BoardWorld(
        acme=acme,
        globex=globex,
        admin=make_user("board-admin", admin=True),
        acme_staff=make_user("board-acme-staff", acme, Role.CMO_STAFF),
        acme_viewer=make_user("board-acme-viewer", acme, Role.CLIENT_VIEWER),
    )
