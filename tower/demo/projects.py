"""The demo's client projects and risk registers (kpis.md 10), recorded through the real
services by the demo's planner (CMO staff) and decided by the clients' approvers: a technology
transfer slipping with a red risk, a new product in feasibility, a process change near its end;
registers with every colour (red, yellow, grey, none) and a review overdue."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from tower.projects import services as projects
from tower.projects.models import ChecklistTemplate, Project
from tower.risks import services as risks
from tower.tenancy.models import Client

TEMPLATES = {
    "Technology transfer readiness": (
        "tech_transfer",
        "Transfer",
        [
            "Process description and development report received",
            "Analytical methods transferred and verified",
            "Raw materials and API suppliers qualified",
            "Batch record drafted and reviewed by the client",
            "Equipment train compared with the sending site",
        ],
    ),
    "Engineering batch readiness": (
        "",
        "Engineering batch",
        [
            "Materials released",
            "Master batch record approved",
            "Cleaning verification planned",
            "Client person in plant booked",
        ],
    ),
    "Process validation protocol": (
        "",
        "Validation",
        [
            "Validation master plan agreed",
            "Protocol approved by both quality units",
            "Three consecutive batches scheduled",
        ],
    ),
}


def build_projects(clients: list[Client], *, today: dt.date | None = None) -> None:
    """Projects for the first three demo clients (nothing when they already have projects)."""
    today = today or timezone.localdate()
    users = get_user_model().objects
    planner = users.get(username="planner")
    templates = _templates(planner)
    approvers = {u.username: u for u in users.filter(username__endswith="-approver")}
    builders = (_transfer, _new_product, _process_change)
    for client, build in zip(clients, builders, strict=False):
        if Project.objects.filter(client=client).exists():
            continue
        approver = approvers.get(f"{client.code.lower()}-approver")
        build(client, planner, approver, templates, today)


def _templates(planner) -> dict[str, ChecklistTemplate]:
    found = {t.name: t for t in ChecklistTemplate.objects.filter(name__in=TEMPLATES)}
    for name, (kind, phase, items) in TEMPLATES.items():
        if name not in found:
            found[name] = projects.create_checklist_template(
                name=name, items=items, project_type=kind, phase=phase, user=planner
            )
    return found


def _days(today: dt.date, *offsets: int) -> list[dt.date]:
    return [today + dt.timedelta(days=n) for n in offsets]


def _transfer(client, planner, approver, templates, today) -> None:
    """Started 200 days ago, in its engineering batch, forecast 30 days late, with a red risk:
    health red. Its register has every colour and a review overdue."""
    project = projects.create_project(
        client=client,
        code="TT-2026-01",
        name="Technology transfer of the oral solid line",
        kind="tech_transfer",
        start_date=today - dt.timedelta(days=200),
        phase_dates=_days(today, -140, -60, 20, 100, 200),
        cmo_manager=planner,
        client_contact="Head of external manufacturing",
        description="Transfer of three strengths from the client's own plant.",
        user=planner,
    )
    phases = {p.name: p for p in project.phases.all()}
    reached = {"Feasibility": -145, "Transfer": -50}
    for name, offset in reached.items():
        projects.update_milestone(
            phase=phases[name],
            forecast_date=None,
            actual_date=today + dt.timedelta(days=offset),
            user=planner,
        )
    projects.update_milestone(
        phase=phases["Engineering batch"],
        forecast_date=today + dt.timedelta(days=50),
        actual_date=None,
        reason="API delivery late",
        user=planner,
    )
    transfer = projects.add_checklist(
        phase=phases["Transfer"], template=templates["Technology transfer readiness"], user=planner
    )
    for item in transfer.items.all():
        projects.tick_item(item=item, done=True, user=planner)
    batch = projects.add_checklist(
        phase=phases["Engineering batch"],
        template=templates["Engineering batch readiness"],
        user=planner,
    )
    for item in list(batch.items.all())[:2]:
        projects.tick_item(item=item, done=True, user=planner)
    first = projects.propose_change_request(
        project=project,
        title="Add the 5 mg strength to the transfer",
        description="The client asked for the low strength in the same transfer.",
        impact_days=21,
        impact_scope="One more strength: methods, one more engineering batch",
        impact_cost="48000",
        impact_quality="One more validation batch series",
        user=planner,
    )
    if approver is not None:
        projects.decide_change_request(
            change=first, approve=True, comment="Agreed in the steering committee", user=approver
        )
    projects.propose_change_request(
        project=project,
        title="Replace the film coating supplier",
        impact_days=10,
        impact_scope="Coating material change",
        impact_cost="-6000",
        impact_quality="Comparability data for the new coating",
        user=planner,
    )
    projects.add_project_comment(
        project=project, text="Engineering batch moved: API delivery is late.", user=planner
    )

    def record(title, p, i, owner, response, contingency="", reviewed=0):
        return risks.record_risk(
            project=project,
            title=title,
            owner=owner,
            probability=p,
            impact=i,
            response=response,
            contingency=contingency,
            user=planner,
            today=today - dt.timedelta(days=reviewed),
        )

    red = record(
        "API supplier cannot deliver before the engineering batch",
        4,
        4,
        "Procurement",
        "Qualify the second API source; weekly call with the supplier",
        "Use the client's API stock for the engineering batch",
    )
    risks.add_action(
        risk=red,
        title="Audit the second API supplier",
        owner="Supplier quality",
        due_date=today + dt.timedelta(days=25),
        user=planner,
    )
    record(
        "Analytical method not robust at the receiving lab",
        3,
        3,
        "QC",
        "Joint method verification with the client's lab",
    )
    grey = record(
        "Granulation scale-up differs from the sending site",
        4,
        5,
        "Manufacturing science",
        "Scale-up trials on the pilot line",
        "Keep the sending site's process parameters",
    )
    for title in ("Pilot-scale granulation trials", "Compare granule size distribution"):
        action = risks.add_action(risk=grey, title=title, owner="MS&T", user=planner)
        risks.close_action(action=action, user=planner)
    risks.rerate_risk(
        risk=grey,
        probability=2,
        impact=2,
        reason="Trials matched the sending site",
        user=planner,
        today=today,
    )
    record("Label artwork approval slow", 1, 2, "Packaging", "Monitor")
    overdue = record(
        "Cleaning validation for the shared equipment",
        2,
        4,
        "Validation",
        "Worst-case product study",
        reviewed=120,  # medium: every 90 days, so overdue by 30
    )
    risks.add_action(risk=overdue, title="Worst-case study", owner="Validation", user=planner)


def _new_product(client, planner, approver, templates, today) -> None:
    """In feasibility and on plan: its yellow risk leaves the health green."""
    project = projects.create_project(
        client=client,
        code="NP-2026-02",
        name="New product: paediatric oral suspension",
        kind="new_product",
        start_date=today - dt.timedelta(days=30),
        phase_dates=_days(today, 60, 180, 260, 340, 420),
        cmo_manager=planner,
        client_contact="Product development lead",
        user=planner,
    )
    risks.record_risk(
        project=project,
        title="Taste-masking excipient availability",
        owner="Formulation",
        probability=3,
        impact=3,
        response="Second excipient grade in the trials",
        user=planner,
        today=today,
    )
    risks.record_risk(
        project=project,
        title="Bottle supplier lead time",
        owner="Procurement",
        probability=2,
        impact=1,
        response="Monitor",
        user=planner,
        today=today,
    )
    projects.propose_change_request(
        project=project,
        title="Add a 100 ml bottle size",
        impact_days=14,
        impact_scope="Second pack size",
        impact_cost="12000",
        impact_quality="Stability on the second pack size",
        user=planner,
    )


def _process_change(client, planner, approver, templates, today) -> None:
    """Near its end: every milestone reached but the last; its risks closed out (grey)."""
    project = projects.create_project(
        client=client,
        code="PC-2025-07",
        name="Process change: new blister line",
        kind="process_change",
        start_date=today - dt.timedelta(days=300),
        phase_dates=_days(today, -240, -150, -60, 30),
        cmo_manager=planner,
        client_contact="Supply chain manager",
        user=planner,
    )
    for phase, offset in zip(
        project.phases.order_by("position")[:3], (-238, -155, -58), strict=True
    ):
        projects.update_milestone(
            phase=phase,
            forecast_date=None,
            actual_date=today + dt.timedelta(days=offset),
            user=planner,
        )
    validation = project.phases.get(name="Validation")
    projects.add_checklist(
        phase=validation, template=templates["Process validation protocol"], user=planner
    )
    risk = risks.record_risk(
        project=project,
        title="Blister seal integrity on the new line",
        owner="Packaging engineering",
        probability=3,
        impact=4,
        response="Seal strength DoE",
        user=planner,
        today=today - dt.timedelta(days=20),
    )
    action = risks.add_action(risk=risk, title="Seal strength DoE", owner="Packaging", user=planner)
    risks.close_action(action=action, user=planner)
    risks.rerate_risk(risk=risk, probability=1, impact=3, user=planner, today=today)
