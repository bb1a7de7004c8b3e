"""The demo's continuous improvement: two DMAIC projects and a handful of lessons learned, written
through tower.improvement.services as the planner, the CMO admin and the client's approver would,
so every step has its history.

The projects move real figures: each baseline is the KPI's mean over the three months before the
project started, read through the scorecard's own computation (the same numbers the project page
shows), so the Control project's visible improvement is the demo data's own (the generator makes
the CMO improve over the two years), not painted on.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from tower.engine.periods import add_months, month_of
from tower.improvement import services
from tower.improvement.models import PHASES, SpreadStatus
from tower.masterdata.models import FunctionalArea, Site
from tower.projects.models import Project
from tower.quality.models import Capa, Deviation
from tower.scorecards.scorecard import kpi_trend
from tower.tenancy.models import Client

CONTROL_STARTED_MONTHS_AGO = 12  # the project in Control started a year ago
EARLY_STARTED_MONTHS_AGO = 3  # the other one is still measuring
BASELINE_MONTHS = 3


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _figures(client: Client, kpi: str, start: dt.date, today: dt.date) -> tuple[float, float]:
    """(baseline, recent): the KPI's mean over the BASELINE_MONTHS before `start` and over the
    last three finished months, as the scorecard computes each month."""
    first = month_of(add_months(start, -BASELINE_MONTHS))
    last = month_of(add_months(today.replace(day=1), -1))
    periods = [first]
    while periods[-1].start < last.start:
        periods.append(periods[-1].shifted(1))
    values = [p.value for p in kpi_trend(client, kpi, periods, as_of=today)]
    baseline = _mean(values[:BASELINE_MONTHS])
    recent = _mean(values[-3:])
    return (baseline if baseline is not None else 80.0, recent if recent is not None else 0.0)


def build_improvement(clients: list[Client]) -> None:
    User = get_user_model()
    admin = User.objects.get(username="cmo-admin")
    planner = User.objects.get(username="planner")
    today = timezone.localdate()
    month = today.replace(day=1)

    # The project in Control: gross OTIF of whichever of the two clients with demo sign-ins
    # improved most since a year ago, so its page shows the demo's real improvement.
    started = add_months(month, -CONTROL_STARTED_MONTHS_AGO)
    choices = []
    for client in clients[:2]:
        baseline, recent = _figures(client, "otif_gross", started, today)
        choices.append((recent - baseline, client, baseline))
    gain, client, baseline = max(choices, key=lambda c: c[0])
    baseline = round(min(baseline, 98.0), 1)
    approver = User.objects.get(username=f"{client.code.lower()}-approver")
    project = services.start_project(
        client=client,
        title="Fewer late lines from the blister packaging line",
        problem=(
            "Late lines traced to the blister packaging line (changeovers run over and batches "
            "wait for the line) keep gross OTIF below the agreement."
        ),
        kpi="otif_gross",
        baseline=baseline,
        target=round(min(baseline + max(gain, 2.0), 99.0), 1),
        started_on=started,
        sponsor="Head of supply chain",
        team="Planning, manufacturing (packaging), QA release, the client's supply manager",
        approvers={
            "define": planner,
            "measure": approver,
            "analyse": planner,
            "improve": approver,
            "control": admin,
        },
        planned={p: add_months(started, 1 + 3 * n) for n, p in enumerate(PHASES)},
        user=planner,
    )
    gates = {g.phase: g for g in project.tollgates.all()}
    decisions = [
        ("define", planner, "go", 1, "Charter agreed with the client"),
        ("measure", approver, "go", 3, "Baseline confirmed against our own figures"),
        ("analyse", planner, "rework", 5, "Root causes not yet split by shift: redo the Pareto"),
        ("analyse", planner, "go", 6, "SMED on changeovers and a fixed packaging slot"),
        ("improve", approver, "go", 8, "Pilot held for two months; roll out to both lines"),
    ]
    for phase, user, decision, after, comment in decisions:
        services.decide_tollgate(
            tollgate=gates[phase],
            decision=decision,
            comment=comment,
            on=min(add_months(started, after) + dt.timedelta(days=9), today),
            user=user,
        )

    # An earlier project of the other client: QC release on time, still in Measure.
    other = next(c for c in clients[:2] if c != client)
    started = add_months(month, -EARLY_STARTED_MONTHS_AGO)
    baseline, _ = _figures(other, "qc_release_on_time", started, today)
    baseline = round(min(baseline, 95.0), 1)
    other_approver = User.objects.get(username=f"{other.code.lower()}-approver")
    early = services.start_project(
        client=other,
        title="QC release on time: test lab capacity",
        problem="Batches wait for release testing at month end; release dates slip.",
        kpi="qc_release_on_time",
        baseline=baseline,
        target=round(min(baseline + 5.0, 99.0), 1),
        started_on=started,
        sponsor="Head of quality control",
        team="QC lab, QA release, planning",
        approvers={p: (other_approver if p in ("measure", "control") else planner) for p in PHASES},
        user=planner,
    )
    services.decide_tollgate(
        tollgate=early.tollgates.get(phase="define"),
        decision="go",
        comment="Scope: the two sites that release this client's batches",
        on=min(started + dt.timedelta(days=20), today),
        user=planner,
    )

    _lessons(clients, admin, planner, today)


def _lessons(clients: list[Client], admin, planner, today: dt.date) -> None:
    sites = list(Site.objects.order_by("code"))
    areas = {a.code: a for a in FunctionalArea.objects.all()}
    first, second = clients[0], clients[1]
    when = today - dt.timedelta(days=20)

    deviation = Deviation.objects.filter(client=first, severity="major").order_by("opened_date")
    deviation = deviation.first() or Deviation.objects.filter(client=first).first()
    if deviation is not None:
        lesson = services.record_lesson(
            client=first,
            title="Second-person check of the label roll at line clearance",
            source="deviation",
            deviation=deviation,
            what_happened="A label roll of the previous order was left on the line and used.",
            lesson="Line clearance checklist names the label roll; a second person signs it.",
            user=planner,
        )
        for site in sites[:2]:
            place = services.add_application(lesson=lesson, site=site, user=planner)
            if site == sites[0]:
                services.record_spread(
                    application=place,
                    status=SpreadStatus.SPREAD,
                    on=when,
                    note="Checklist revised and trained",
                    user=planner,
                )
        services.add_application(lesson=lesson, area=areas["manufacturing"], user=planner)

    capa = Capa.objects.filter(client=second).order_by("due_date").first()
    if capa is not None:
        lesson = services.record_lesson(
            client=second,
            title="Book the stability chamber before the batch is made",
            source="capa",
            capa=capa,
            what_happened="Release waited a week for a free stability chamber.",
            lesson="Planning books chamber time with the batch, not at release.",
            user=planner,
        )
        place = services.add_application(lesson=lesson, area=areas["quality"], user=planner)
        services.record_spread(
            application=place,
            status=SpreadStatus.SPREAD,
            on=when,
            note="Added to the planning checklist",
            user=planner,
        )

    # A client project of the demo when there is one, else the reference of an older one.
    project = Project.objects.filter(client=first).order_by("start_date", "pk").first()
    services.record_lesson(
        client=first,
        title="Agree artwork freeze dates at the transfer kick-off",
        source="project",
        project=project,
        reference="" if project else "Technology transfer TT-2025-03",
        what_happened="Artwork approval arrived after the engineering batch was planned.",
        lesson="Put the artwork freeze date in the project plan the client signs.",
        user=planner,
    )

    # A CMO-wide lesson (the CMO's own people only), spread across clients.
    wide = services.record_lesson(
        client=None,
        title="Confirm every carrier pick-up 48 hours ahead",
        source="escalation",
        reference="ESC-2026-014 (escalations are not in the tower yet)",
        what_happened="Two carriers missed pick-ups in one month; the client escalated.",
        lesson="Shipping confirms each pick-up 48 hours ahead and books a second carrier.",
        user=admin,
    )
    for n, client in enumerate(clients[:4]):
        place = services.add_application(lesson=wide, target_client=client, user=admin)
        if n < 2:
            services.record_spread(
                application=place,
                status=SpreadStatus.SPREAD,
                on=when,
                note="Briefed the client's shipping team",
                user=admin,
            )
        elif n == 3:
            services.record_spread(
                application=place,
                status=SpreadStatus.NOT_APPLICABLE,
                on=when,
                note="The client collects its goods itself",
                user=admin,
            )
    services.add_application(lesson=wide, area=areas["shipping"], user=admin)
