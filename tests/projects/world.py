"""Projects and risks of the web tests' two-client world (tests/web/conftest.py), built on first
use: for each client a technology transfer with a checklist, a proposed change request, a red
risk with an open action. Every GLOBEX string contains "globex" (the isolation tests look for
it), and the CMO's internal note of the world appears nowhere here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tower.projects import services as projects
from tower.projects.models import ChangeRequest, ChecklistItem, Phase, Project
from tower.risks import services as risks
from tower.risks.models import Risk, RiskAction
from tower.tenancy.scoping import SYSTEM


@dataclass
class ProjectWorld:
    project: Project
    phase: Phase
    item: ChecklistItem
    change: ChangeRequest
    risk: Risk
    action: RiskAction


def build_project_world(client) -> ProjectWorld:
    mark = client.code.lower()
    project = projects.create_project(
        client=client,
        code=f"{client.code}-TT-1",
        name=f"{mark} transfer of the tablet line",
        kind="tech_transfer",
        start_date=dt.date(2026, 1, 5),
        client_contact=f"{mark} contact",
        user=SYSTEM,
    )
    phase = project.phases.get(position=1)
    template, _ = projects.ChecklistTemplate.objects.get_or_create(
        name="Feasibility readiness", defaults={"items": ["Process description received"]}
    )
    checklist = projects.add_checklist(phase=phase, template=template, user=SYSTEM)
    change = projects.propose_change_request(
        project=project, title=f"{mark} second strength", impact_days=10, user=SYSTEM
    )
    risk = risks.record_risk(
        project=project,
        title=f"{mark} API supplier late",
        owner=f"{mark} procurement",
        probability=4,
        impact=4,
        response=f"{mark} second supplier",
        user=SYSTEM,
    )
    action = risks.add_action(risk=risk, title=f"{mark} audit supplier", owner="QA", user=SYSTEM)
    return ProjectWorld(project, phase, checklist.items.first(), change, risk, action)


def project_world(world, client) -> ProjectWorld:
    """The client's projects part of the web world, built once per world."""
    attribute = f"_projects_{client.code}"
    if not hasattr(world, attribute):
        setattr(world, attribute, build_project_world(client))
    return getattr(world, attribute)
