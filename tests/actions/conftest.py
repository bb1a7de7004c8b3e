"""Two clients with people of every role, and actions from every source with hand-set dates.

Today is frozen at 2026-11-10 (tower.actions reads timezone.localdate()), so "overdue" is
checked against dates written here: open and due before 2026-11-10.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tower.actions import services
from tower.actions.models import Action
from tower.tenancy.models import Role

TODAY = dt.date(2026, 11, 10)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


@dataclass
class People:
    admin: object
    staff: object
    viewer: object
    approver: object
    globex_viewer: object


@pytest.fixture
def people(acme, globex):
    return People(
        admin=make_user("boss", admin=True),
        staff=make_user("staff", acme, Role.CMO_STAFF),
        viewer=make_user("viewer", acme, Role.CLIENT_VIEWER),
        approver=make_user("approver", acme, Role.CLIENT_APPROVER),
        globex_viewer=make_user("gviewer", globex, Role.CLIENT_VIEWER),
    )


def add(client, user, title, *, source="meeting", owner="Planning", due=None, status="open"):
    action = services.add_action(
        client=client,
        source=source,
        title=title,
        owner=owner,
        due_date=due,
        source_label=f"{source} of {client.code}",
        user=user,
    )
    if status != "open":
        services.set_status(action=action, status=status, user=user)
    return action


@pytest.fixture
def register(acme, globex, people, today) -> dict[str, Action]:
    """Six ACME actions and one GLOBEX action:
    late      open, due 2026-11-09 (yesterday)      -> overdue
    due_today open, due 2026-11-10 (today)          -> not overdue
    soon      open, due 2026-11-16 (today + 6)      -> due within the 7 days
    later     open, due 2026-11-17 (today + 7)      -> outside the 7 days
    done_late done, due 2026-10-01                  -> not overdue (done)
    undated   open, no due date                     -> never overdue
    globex    open, due 2026-10-01 (GLOBEX)         -> overdue, but GLOBEX's
    """
    a = people.admin
    return {
        "late": add(acme, a, "Late carrier review", source="review", due=dt.date(2026, 11, 9)),
        "due_today": add(acme, a, "Send stock report", owner="QA lead", due=TODAY),
        "soon": add(acme, a, "Plan the audit", source="notice", due=dt.date(2026, 11, 16)),
        "later": add(acme, a, "Second source", source="escalation", due=dt.date(2026, 11, 17)),
        "done_late": add(acme, a, "Old fix", due=dt.date(2026, 10, 1), status="done"),
        "undated": add(acme, a, "Undated idea", owner="QA lead"),
        "globex": add(globex, a, "Globex secret plan", due=dt.date(2026, 10, 1)),
    }
