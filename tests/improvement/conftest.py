"""Fixtures of the continuous-improvement tests: the hand-checked ACME lines of
tests/performance/conftest.py (March 2026: 4 measured lines, 1 OTIF, 2 on time; April: 2
measured, 1 OTIF, 1 on time), its people, and a DMAIC project of ACME on gross OTIF."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.performance.conftest import acme_data, globex_data, import_text, people  # noqa: F401
from tests.web.conftest import fast_password_hashing, world  # noqa: F401
from tower.improvement import services
from tower.improvement.models import PHASES

STARTED = dt.date(2026, 2, 1)
AS_OF = dt.date(2026, 5, 15)


def charter(client, people, *, approvers=None, **overrides):  # noqa: F811
    """A project of `client` on gross OTIF: the planner approves Define and Control, the client
    approver Measure, Analyse and Improve."""
    approvers = approvers or {
        "define": people["staff"],
        "measure": people["approver"],
        "analyse": people["approver"],
        "improve": people["approver"],
        "control": people["staff"],
    }
    fields = {
        "client": client,
        "title": f"{client.code}: fewer late lines",
        "problem": "A quarter of the lines arrive late.",
        "kpi": "otif_gross",
        "baseline": 25.0,
        "target": 60.0,
        "started_on": STARTED,
        "sponsor": "Head of supply chain",
        "team": "Planning, QA, shipping",
        "approvers": approvers,
        "user": people["staff"] if client.code == "ACME" else people["other_staff"],
    } | overrides
    return services.start_project(**fields)


@pytest.fixture
def project(acme_data, people):  # noqa: F811
    return charter(acme_data, people)


def go_through(project, people, phases=PHASES):  # noqa: F811
    """Decide go at each of `phases` with its named approver."""
    for gate in project.tollgates.order_by("id"):
        if gate.phase in phases:
            services.decide_tollgate(tollgate=gate, decision="go", comment="", user=gate.approver)
    project.refresh_from_db()
    return project
