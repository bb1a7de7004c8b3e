"""Writes for continuous improvement: lessons and where they were spread, improvement projects
and their tollgates.

Keyword-only functions taking the acting user; the pages, the demo and tests call them. A role
that may not take a step gets NotAllowed (the page answers 403), a step that cannot be taken gets
WorkflowError with the reason in the user's words. Every change is audited (django-simple-history:
who, when, before and after), and the tollgate rules live here only, so no page can skip them.
"""

from __future__ import annotations

import datetime as dt
import math

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tower.engine.kpi_catalogue import KPI_BY_CODE, KPIS, Kpi, format_value
from tower.engine.periods import FIRST_YEAR, LAST_YEAR
from tower.improvement.models import (
    PHASES,
    ImprovementProject,
    Lesson,
    LessonApplication,
    LessonSource,
    Phase,
    SpreadStatus,
    Tollgate,
)
from tower.masterdata.models import FunctionalArea, Product, Site
from tower.projects.models import Project
from tower.quality.models import Capa, Deviation
from tower.tenancy.models import Client
from tower.tenancy.scoping import (
    CMO_ROLES,
    is_cmo_admin,
    require_role,
    role_for,
    sees_client_names,
)
from tower.workflow import NotAllowed, WorkflowError, audit_as

__all__ = ["NotAllowed", "WorkflowError"]

# The bounds of a baseline or target, per KPI unit: a share is 0-100 %, a rating 1-5, counts
# and rates are not negative and stay below what any plant could produce.
UNIT_BOUNDS = {
    "%": (0.0, 100.0),
    "of 5": (1.0, 5.0),
    "per 100 batches": (0.0, 100_000.0),
    "events": (0.0, 100_000.0),
    "days": (0.0, 100_000.0),
}
MAX_TEXT = 10_000  # characters of a free text (as imports, tower/imports/limits.py)


def _text(value: str, what: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise WorkflowError(f"Write the {what}.")
    if len(value) > limit:
        raise WorkflowError(f"The {what} is too long: at most {limit:,} characters.")
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise WorkflowError(f"The {what} holds a control character; remove it.")
    return value


def _date(value: dt.date | None, what: str) -> dt.date | None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise WorkflowError(f"The {what} must lie in the years {FIRST_YEAR} to {LAST_YEAR}.")
    return value


def _require_cmo(user, client: Client | None, action: str) -> None:
    """CMO staff of the client (or a CMO admin); a CMO-wide record: any CMO user."""
    if client is None:
        if not sees_client_names(user):
            raise NotAllowed(f"Only the CMO's own people may {action}.")
        return
    require_role(user, client, CMO_ROLES, action)


# --- lessons learned ----------------------------------------------------------------------------


@transaction.atomic
def record_lesson(
    *,
    client: Client | None,
    title: str,
    source: str,
    what_happened: str,
    lesson: str,
    deviation: Deviation | None = None,
    capa: Capa | None = None,
    project: Project | None = None,
    reference: str = "",
    user,
) -> Lesson:
    """A lesson learnt from a client project, a deviation, a CAPA or an escalation. Without a
    client it is CMO-wide (its source cannot then be one client's deviation or CAPA)."""
    _require_cmo(user, client, "record lessons learned")
    if source not in LessonSource.values:
        raise WorkflowError(
            f"{source!r} is not a source of lessons: choose one of {', '.join(LessonSource.values)}."
        )
    for record, what in ((deviation, "deviation"), (capa, "CAPA"), (project, "project")):
        if record is not None and (client is None or record.client_id != client.pk):
            raise WorkflowError(f"That {what} is not one of this client's {what}s.")
    if source == LessonSource.DEVIATION and deviation is None:
        raise WorkflowError("Name the deviation the lesson comes from.")
    if source == LessonSource.CAPA and capa is None:
        raise WorkflowError("Name the CAPA the lesson comes from.")
    reference = _text(reference, "reference", required=False, limit=100)
    if source == LessonSource.PROJECT and project is None and not reference:
        raise WorkflowError(
            "Name the client project the lesson comes from (or, for a project older than the "
            "tower, give its reference)."
        )
    if source == LessonSource.ESCALATION and not reference:
        raise WorkflowError("Give the escalation's reference.")
    record = Lesson(
        client=client,
        title=_text(title, "title", limit=200),
        source=source,
        deviation=deviation if source == LessonSource.DEVIATION else None,
        capa=capa if source == LessonSource.CAPA else None,
        project=project if source == LessonSource.PROJECT else None,
        reference=reference,
        what_happened=_text(what_happened, "account of what happened"),
        lesson=_text(lesson, "lesson"),
        created_by=user if isinstance(user, get_user_model()) else None,
    )
    audit_as(record, user, "recorded")
    record.save()
    return record


@transaction.atomic
def add_application(
    *,
    lesson: Lesson,
    site: Site | None = None,
    target_client: Client | None = None,
    area: FunctionalArea | None = None,
    user,
) -> LessonApplication:
    """Say where else the lesson applies: one site, one client or one process area."""
    _require_cmo(user, lesson.client, "say where a lesson applies")
    given = [(k, v) for k, v in (("site", site), ("client", target_client), ("area", area)) if v]
    if len(given) != 1:
        raise WorkflowError("Choose exactly one place: a site, a client or a process area.")
    kind, place = given[0]
    if target_client is not None:
        if lesson.client_id is not None and target_client.pk != lesson.client_id:
            # A client's lesson stays with that client: spreading it to another client would
            # show that client its partner's incident. Record a CMO-wide lesson instead.
            raise WorkflowError(
                "A client's lesson applies within that client only: record a CMO-wide lesson "
                "to spread it to other clients."
            )
        if role_for(user, target_client) not in {*CMO_ROLES, "cmo_admin"}:
            raise WorkflowError("That client is not one of your clients.")
    duplicate = LessonApplication.objects.filter(
        client=lesson.client, lesson=lesson, kind=kind, **{_FIELD[kind]: place}
    )
    if duplicate.exists():
        raise WorkflowError("The lesson already applies there.")
    application = LessonApplication(
        client=lesson.client,
        lesson=lesson,
        kind=kind,
        site=site,
        target_client=target_client,
        area=area,
    )
    audit_as(application, user, "applies here")
    application.save()
    return application


_FIELD = {"site": "site", "client": "target_client", "area": "area"}


@transaction.atomic
def record_spread(
    *,
    application: LessonApplication,
    status: str,
    on: dt.date | None = None,
    note: str = "",
    user,
) -> LessonApplication:
    """Record that the lesson was spread to that place (who, when, how), or that it turned out
    not to apply there, or reopen it (to spread)."""
    _require_cmo(user, application.lesson.client, "record where lessons were spread")
    if status not in SpreadStatus.values:
        raise WorkflowError(
            f"{status!r} is not a state: choose one of {', '.join(SpreadStatus.values)}."
        )
    today = timezone.localdate()
    on = _date(on, "date") or today
    if on > today:
        raise WorkflowError("A lesson cannot have been spread in the future.")
    note = _text(note, "note", required=status == SpreadStatus.NOT_APPLICABLE, limit=500)
    application.status = status
    done = status != SpreadStatus.TO_SPREAD
    application.spread_on = on if done else None
    application.spread_by = user if done and isinstance(user, get_user_model()) else None
    application.note = note
    audit_as(application, user, SpreadStatus(status).label.lower())
    application.save()
    return application


# --- improvement projects (DMAIC) ---------------------------------------------------------------


def kpi_of(code: str) -> Kpi:
    """The catalogue KPI of `code`, or a WorkflowError naming the valid ones."""
    try:
        return KPI_BY_CODE[(code or "").strip()]
    except KeyError:
        raise WorkflowError(
            f"{code!r} is not a KPI of the catalogue: choose one of "
            f"{', '.join(k.code for k in KPIS)}."
        ) from None


def check_baseline_and_target(kpi: Kpi, baseline: float, target: float) -> None:
    """Both within the KPI's range, and the target better than the baseline."""
    low, high = UNIT_BOUNDS[kpi.unit]
    for value, what in ((baseline, "baseline"), (target, "target")):
        if value is None or not math.isfinite(value) or not low <= value <= high:
            raise WorkflowError(
                f"The {what} of {kpi.name} must be between {format_value(low, kpi.unit)} and "
                f"{format_value(high, kpi.unit)}."
            )
    better = target > baseline if kpi.higher_is_better else target < baseline
    if not better:
        direction = "above" if kpi.higher_is_better else "below"
        raise WorkflowError(
            f"{kpi.name} is better {'higher' if kpi.higher_is_better else 'lower'}: the target "
            f"must be {direction} the baseline ({format_value(baseline, kpi.unit)})."
        )


def _check_approver(approver, client: Client, phase: str) -> None:
    if approver is None:
        raise WorkflowError(f"Name the approver of the {Phase(phase).label} tollgate.")
    if not getattr(approver, "is_active", False) or role_for(approver, client) is None:
        raise WorkflowError(
            f"The approver of the {Phase(phase).label} tollgate must be a user of this client "
            "or of the CMO who works for it."
        )


@transaction.atomic
def start_project(
    *,
    client: Client,
    title: str,
    problem: str,
    kpi: str,
    baseline: float,
    target: float,
    started_on: dt.date,
    sponsor: str,
    approvers: dict[str, object],
    team: str = "",
    site: Site | None = None,
    product: Product | None = None,
    planned: dict[str, dt.date] | None = None,
    user,
) -> ImprovementProject:
    """Charter a DMAIC project and name the approver of each of its five tollgates."""
    require_role(user, client, CMO_ROLES, "charter improvement projects")
    measured = kpi_of(kpi)
    check_baseline_and_target(measured, baseline, target)
    if product is not None and product.client_id != client.pk:
        raise WorkflowError("That product is not one of this client's products.")
    started_on = _date(started_on, "start")
    if started_on is None:
        raise WorkflowError("Give the month the project started.")
    planned = planned or {}
    for phase in PHASES:
        _check_approver(approvers.get(phase), client, phase)
        _date(planned.get(phase), f"planned date of the {Phase(phase).label} tollgate")
    project = ImprovementProject(
        client=client,
        title=_text(title, "title", limit=200),
        problem=_text(problem, "problem statement"),
        kpi=measured.code,
        site=site,
        product=product,
        baseline=baseline,
        target=target,
        started_on=started_on.replace(day=1),
        sponsor=_text(sponsor, "sponsor", limit=150),
        team=_text(team, "team", required=False, limit=500),
        created_by=user if isinstance(user, get_user_model()) else None,
    )
    audit_as(project, user, "chartered")
    project.save()
    for phase in PHASES:
        gate = Tollgate(
            client=client,
            project=project,
            phase=phase,
            approver=approvers[phase],
            planned_on=planned.get(phase),
        )
        audit_as(gate, user, "approver named")
        gate.save()
    return project


@transaction.atomic
def decide_tollgate(
    *,
    tollgate: Tollgate,
    decision: str,
    comment: str = "",
    on: dt.date | None = None,
    user,
) -> Tollgate:
    """The named approver closes the phase (go), sends it back (rework) or stops the project.

    Only the approver named for this tollgate may decide, phases close in order (the tollgate
    of the phase open now), and a decided go or stop is final.
    """
    project = ImprovementProject.objects.select_for_update().get(pk=tollgate.project_id)
    tollgate = Tollgate.objects.select_for_update().get(pk=tollgate.pk)
    label = Phase(tollgate.phase).label
    if getattr(user, "pk", None) != tollgate.approver_id:
        raise NotAllowed(
            f"Only {tollgate.approver.get_username()}, named as the approver of the {label} "
            "tollgate, may decide it."
        )
    if role_for(user, project.client) is None:
        raise NotAllowed("You no longer work for this client.")
    if decision not in (Tollgate.Decision.GO, Tollgate.Decision.REWORK, Tollgate.Decision.STOP):
        raise WorkflowError("Decide go, rework or stop.")
    if project.state != ImprovementProject.State.OPEN:
        raise WorkflowError(
            f"The project is {project.get_state_display().lower()}: nothing more to decide."
        )
    if tollgate.phase != project.phase:
        raise WorkflowError(
            f"The {label} tollgate cannot be decided yet: the {Phase(project.phase).label} "
            "phase is open and phases close in order."
        )
    comment = _text(comment, "comment", required=decision != Tollgate.Decision.GO)
    today = timezone.localdate()
    on = _date(on, "date of the decision") or today
    if on > today:
        raise WorkflowError("A tollgate cannot be decided in the future.")
    tollgate.decision = decision
    tollgate.decided_on = on
    tollgate.comment = comment
    audit_as(tollgate, user, f"{decision}")
    tollgate.save()
    if decision == Tollgate.Decision.GO:
        following = PHASES.index(tollgate.phase) + 1
        if following < len(PHASES):
            project.phase = PHASES[following]
        else:
            project.state = ImprovementProject.State.COMPLETED
    elif decision == Tollgate.Decision.STOP:
        project.state = ImprovementProject.State.STOPPED
    else:
        return tollgate
    audit_as(project, user, f"{label} tollgate: {decision}")
    project.save()
    return tollgate


def may_charter(user, client: Client) -> bool:
    return is_cmo_admin(user) or role_for(user, client) in CMO_ROLES
