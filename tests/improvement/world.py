"""What the two-client world of tests/web/conftest.py holds of continuous improvement: for each
client a DMAIC project and a lesson with a place it applies to, every text naming the client (so
the isolation walk of tests/web/test_isolation.py can tell them apart)."""

from __future__ import annotations

import datetime as dt

from tower.improvement import services
from tower.improvement.models import PHASES
from tower.masterdata.models import FunctionalArea


def add_improvement_data(client, charterer, approver) -> dict:
    name = client.name
    project = services.start_project(
        client=client,
        title=f"{name}: on-time delivery",
        problem=f"{name} lines arrive late",
        kpi="on_time",
        baseline=50.0,
        target=90.0,
        started_on=dt.date(2026, 3, 1),
        sponsor=f"{name} sponsor",
        approvers=dict.fromkeys(PHASES, approver),
        user=charterer,
    )
    lesson = services.record_lesson(
        client=client,
        title=f"{name}: confirm pick-ups",
        source="escalation",
        reference=f"{name} ESC-1",
        what_happened=f"{name} carrier missed a pick-up",
        lesson="Confirm each pick-up 48 hours ahead",
        user=charterer,
    )
    place = services.add_application(
        lesson=lesson, area=FunctionalArea.objects.get(code="shipping"), user=charterer
    )
    return {"improvement": project, "lesson": lesson, "place": place}
