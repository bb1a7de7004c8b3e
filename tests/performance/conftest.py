"""A small hand-checked data set for the workflow, month-close and dashboard tests.

Default definition (due = committed date, no grace, no tolerance), evaluated as of today
(after every month below has ended):

March 2026, ACME (4 measured lines, 1 OTIF):
    PO-1/1  AMX-500 EU1  100 due 03-10, 100 on 03-10       OTIF
    PO-1/2  IBU-200 EU1   50 due 03-10,  50 on 03-13       late 3 days (class 3-7), in full
    PO-2/1  AMX-500 EU2   80 due 03-20,  70 on 03-20       short, on time
    PO-3/1  IBU-200 EU2   40 due 03-25, nothing (open)     not delivered
April 2026, ACME (2 measured lines, 1 OTIF, 1 excluded):
    PO-4/1  AMX-500 EU1   60 due 04-05,  60 on 04-05       OTIF
    PO-4/2  IBU-200 EU1   30 due 04-05,  30 on 04-07       late 2 days (class 1-2), in full
    PO-5/1  AMX-500 EU2   30 due 04-15, cancelled          excluded
March 2026, GLOBEX (2 measured lines, 1 OTIF):
    PG-1/1  GLX-10  EU1   10 due 03-05,  10 on 03-05       OTIF
    PG-1/2  GLX-10  EU1   10 due 03-05,  10 on 03-09       late 4 days
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from tests.conftest import make_user
from tower.orders.models import OrderLine
from tower.performance.models import MonthlyFailure, MonthlyOtif
from tower.tenancy.models import Role

MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)

HEADER = (
    "client,order,line,product,site,ordered_qty,committed_date,status,"
    "delivered_date,delivered_qty,delivery_id\n"
)
ACME_LINES = HEADER + (
    "ACME,PO-1,1,AMX-500,EU1,100,2026-03-10,closed,2026-03-10,100,D1\n"
    "ACME,PO-1,2,IBU-200,EU1,50,2026-03-10,closed,2026-03-13,50,D2\n"
    "ACME,PO-2,1,AMX-500,EU2,80,2026-03-20,closed,2026-03-20,70,D3\n"
    "ACME,PO-3,1,IBU-200,EU2,40,2026-03-25,open,,,\n"
    "ACME,PO-4,1,AMX-500,EU1,60,2026-04-05,closed,2026-04-05,60,D4\n"
    "ACME,PO-4,2,IBU-200,EU1,30,2026-04-05,closed,2026-04-07,30,D5\n"
    "ACME,PO-5,1,AMX-500,EU2,30,2026-04-15,cancelled,,,\n"
)
GLOBEX_LINES = HEADER + (
    "GLOBEX,PG-1,1,GLX-10,EU1,10,2026-03-05,closed,2026-03-05,10,G1\n"
    "GLOBEX,PG-1,2,GLX-10,EU1,10,2026-03-05,closed,2026-03-09,10,G2\n"
)

# The figures the data set gives (line grain), per client and month.
ACME_MARCH = {"lines": 4, "on_time": 2, "in_full": 2, "otif": 1, "net_otif": 1, "excluded": 0}
ACME_APRIL = {"lines": 2, "on_time": 1, "in_full": 2, "otif": 1, "net_otif": 1, "excluded": 1}
GLOBEX_MARCH = {"lines": 2, "on_time": 1, "in_full": 2, "otif": 1, "net_otif": 1, "excluded": 0}


@pytest.fixture
def import_text(write_csv, run_import):
    """Import CSV text (as the operator); each call writes a new file."""
    calls = Counter()

    def run(text: str):
        calls["n"] += 1
        report = run_import(write_csv(text, f"import-{calls['n']}.csv"), create_missing=True)
        assert report.ok, report.errors
        return report

    return run


@pytest.fixture
def acme_data(acme, import_text):
    import_text(ACME_LINES)
    return acme


@pytest.fixture
def globex_data(globex, import_text):
    import_text(GLOBEX_LINES)
    return globex


@pytest.fixture
def people(acme, globex, settings):
    """One user of every role that matters for the workflow."""
    # The default PBKDF2 hasher costs ~0.3 s a user; these tests never sign in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {
        "admin": make_user("boss", admin=True),
        "staff": make_user("planner", acme, Role.CMO_STAFF),
        "viewer": make_user("viewer", acme, Role.CLIENT_VIEWER),
        "approver": make_user("approver", acme, Role.CLIENT_APPROVER),
        "other_staff": make_user("gx-planner", globex, Role.CMO_STAFF),
        "other_approver": make_user("gx-approver", globex, Role.CLIENT_APPROVER),
    }


def line(order: str, number: str = "1") -> OrderLine:
    return OrderLine.objects.select_related("client").get(order__number=order, line_number=number)


MONTHLY_FIELDS = ("lines", "on_time", "in_full", "otif", "net_otif", "excluded")


def monthly(client, period: dt.date, fields=MONTHLY_FIELDS) -> dict[str, int]:
    """The live MonthlyOtif counts of a client's month, summed over sites and products."""
    rows = MonthlyOtif.objects.filter(client=client, period=period)
    return {f: sum(getattr(r, f) for r in rows) for f in fields}


def failure_rows(client, period: dt.date) -> set[tuple]:
    """The live MonthlyFailure rows of a client's month as (area, code, status, lines, excused)."""
    rows = MonthlyFailure.objects.filter(client=client, period=period)
    merged: Counter = Counter()
    excused: Counter = Counter()
    for r in rows:
        key = (r.area_id, r.code_id, r.status)
        merged[key] += r.lines
        excused[key] += r.excused
    return {(*key, merged[key], excused[key]) for key in merged}
