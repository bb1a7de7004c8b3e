"""Writes for client projects: projects and their phases, checklists from the template library,
change requests (the CMO proposes, the client decides) and comments.

Keyword-only functions taking the acting user; the pages, the demo and the tests call them.
A role that may not take a step gets NotAllowed (the page answers 403 with the reason), a step
that cannot be taken gets WorkflowError. Every change of a project, phase, checklist item or
change request is audited (django-simple-history: who, when, before and after).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from tower.engine.projects import PHASE_TEMPLATES, PROJECT_TYPES
from tower.projects.models import (
    ChangeRequest,
    Checklist,
    ChecklistItem,
    ChecklistTemplate,
    Comment,
    Phase,
    Project,
    ProjectComment,
)
from tower.tenancy.models import CLIENT_ROLES, Client, Role
from tower.tenancy.scoping import CMO_ROLES, require_role, role_for, sees_client_names
from tower.workflow import NotAllowed, WorkflowError, audit_as

__all__ = ["NotAllowed", "WorkflowError"]

COMMENTERS = frozenset(CLIENT_ROLES | CMO_ROLES)
DECIDERS = frozenset({Role.CLIENT_APPROVER})
# A new project's milestones, when no dates are given: one phase every DEFAULT_PHASE_DAYS.
DEFAULT_PHASE_DAYS = 90
MAX_IMPACT_DAYS = 3650
MAX_IMPACT_COST = Decimal("1e12")
YEARS = (1900, 2999)


def _check_date(value: dt.date | None, what: str) -> None:
    if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
        raise WorkflowError(f"{what} must lie in the years {YEARS[0]} to {YEARS[1]}.")


@transaction.atomic
def create_project(
    *,
    client: Client,
    code: str,
    name: str,
    kind: str,
    start_date: dt.date,
    user,
    cmo_manager=None,
    client_contact: str = "",
    description: str = "",
    status: str = Project.Status.ACTIVE,
    phase_dates: list[dt.date] | None = None,
) -> Project:
    """A project of the client with the phases of its type's template."""
    require_role(user, client, CMO_ROLES, "create projects")
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise WorkflowError("Give the project a code and a name.")
    if kind not in PROJECT_TYPES:
        raise WorkflowError(f"Unknown project type {kind!r}.")
    if status not in Project.Status.values:
        raise WorkflowError(f"Unknown project status {status!r}.")
    _check_date(start_date, "The start date")
    if Project.objects.filter(client=client, code=code).exists():
        raise WorkflowError(f"The client already has a project {code}.")
    names = PHASE_TEMPLATES[kind]
    if phase_dates is None:
        phase_dates = [
            start_date + dt.timedelta(days=DEFAULT_PHASE_DAYS * (n + 1)) for n in range(len(names))
        ]
    if len(phase_dates) != len(names):
        raise WorkflowError(f"Give one planned date per phase ({len(names)}).")
    for date in phase_dates:
        _check_date(date, "A milestone")
    if any(b < a for a, b in zip([start_date, *phase_dates], phase_dates, strict=False)):
        raise WorkflowError("The planned milestones must follow the start date, in order.")
    project = Project(
        client=client,
        code=code,
        name=name,
        kind=kind,
        status=status,
        start_date=start_date,
        cmo_manager=cmo_manager,
        client_contact=client_contact.strip(),
        description=description.strip(),
        created_by=user if getattr(user, "pk", None) else None,
    )
    audit_as(project, user, "created")
    project.save()
    for position, (phase_name, date) in enumerate(zip(names, phase_dates, strict=True), 1):
        phase = Phase(
            client=client, project=project, position=position, name=phase_name, planned_date=date
        )
        audit_as(phase, user, "created from the template")
        phase.save()
    return project


@transaction.atomic
def set_project_status(*, project: Project, status: str, user) -> Project:
    require_role(user, project.client, CMO_ROLES, "change a project's status")
    if status not in Project.Status.values:
        raise WorkflowError(f"Unknown project status {status!r}.")
    project.status = status
    audit_as(project, user, "status")
    project.save(update_fields=["status"])
    return project


@transaction.atomic
def update_milestone(
    *,
    phase: Phase,
    forecast_date: dt.date | None,
    actual_date: dt.date | None,
    user,
    reason: str = "",
) -> Phase:
    """The CMO's forecast of a milestone, or the day it was reached. The planned date is the
    agreed baseline: it moves only with an approved change request."""
    require_role(user, phase.client, CMO_ROLES, "update milestones")
    _check_date(forecast_date, "The forecast")
    _check_date(actual_date, "The actual date")
    if actual_date is not None and actual_date > timezone.localdate():
        raise WorkflowError("A milestone cannot be reached in the future: give a forecast.")
    phase.forecast_date = forecast_date
    phase.actual_date = actual_date
    audit_as(phase, user, reason or "milestone")
    phase.save(update_fields=["forecast_date", "actual_date"])
    return phase


def set_open_red_risks(*, project: Project, count: int) -> None:
    """Called by tower.risks.services after every change of the project's risks: the health
    rule reads this count (a higher layer refreshes what it feeds, explicitly)."""
    Project.objects.filter(pk=project.pk, client=project.client).update(open_red_risks=count)
    project.open_red_risks = count


# --- checklists -------------------------------------------------------------------------------


def _require_cmo(user, action: str) -> None:
    if not sees_client_names(user):
        raise NotAllowed(f"Only the CMO's staff may {action}.")


@transaction.atomic
def create_checklist_template(
    *,
    name: str,
    items: list[str],
    user,
    project_type: str = "",
    phase: str = "",
    description: str = "",
) -> ChecklistTemplate:
    _require_cmo(user, "add checklist templates")
    name = name.strip()
    items = [i.strip() for i in items if i.strip()]
    if not name:
        raise WorkflowError("Give the template a name.")
    if not items:
        raise WorkflowError("Give the template at least one item (one per line).")
    if any(len(i) > 500 for i in items):
        raise WorkflowError("An item is longer than 500 characters.")
    if project_type and project_type not in PROJECT_TYPES:
        raise WorkflowError(f"Unknown project type {project_type!r}.")
    if ChecklistTemplate.objects.filter(name=name).exists():
        raise WorkflowError(f"A template named {name!r} exists already.")
    template = ChecklistTemplate(
        name=name,
        items=items,
        project_type=project_type,
        phase=phase.strip(),
        description=description.strip(),
        created_by=user if getattr(user, "pk", None) else None,
    )
    audit_as(template, user, "created")
    template.save()
    return template


@transaction.atomic
def add_checklist(*, phase: Phase, template: ChecklistTemplate, user) -> Checklist:
    """A copy of the template's items on the phase (later edits of the template leave it)."""
    require_role(user, phase.client, CMO_ROLES, "add checklists")
    checklist = Checklist.objects.create(
        client=phase.client, phase=phase, template=template, name=template.name
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(client=phase.client, checklist=checklist, position=n, text=text)
        for n, text in enumerate(template.items, 1)
    )
    return checklist


@transaction.atomic
def tick_item(*, item: ChecklistItem, done: bool, user) -> ChecklistItem:
    """Tick (or untick) a checklist item; who and when are kept, and the history of both."""
    require_role(user, item.client, CMO_ROLES, "tick checklist items")
    if done and item.done_at is None:
        item.done_by = user if getattr(user, "pk", None) else None
        item.done_at = timezone.now()
    elif not done:
        item.done_by, item.done_at = None, None
    audit_as(item, user, "ticked" if done else "unticked")
    item.save(update_fields=["done_by", "done_at"])
    return item


# --- change requests --------------------------------------------------------------------------


def _cost(value) -> Decimal:
    try:
        cost = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise WorkflowError(f"The impact on cost must be a number; got {value!r}.") from exc
    if not cost.is_finite() or abs(cost) >= MAX_IMPACT_COST:
        raise WorkflowError("The impact on cost must be a finite amount below 10^12.")
    return cost.quantize(Decimal("0.01"))


@transaction.atomic
def propose_change_request(
    *,
    project: Project,
    title: str,
    user,
    description: str = "",
    impact_days: int = 0,
    impact_scope: str = "",
    impact_cost=0,
    impact_quality: str = "",
) -> ChangeRequest:
    """The CMO proposes a change with its impact on time, scope, cost and quality."""
    require_role(user, project.client, CMO_ROLES, "propose change requests")
    title = title.strip()
    if not title:
        raise WorkflowError("Give the change request a title.")
    if isinstance(impact_days, bool) or not isinstance(impact_days, int):
        raise WorkflowError("The impact on time must be a whole number of days.")
    if abs(impact_days) > MAX_IMPACT_DAYS:
        raise WorkflowError(f"The impact on time must be within {MAX_IMPACT_DAYS} days.")
    last = project.change_requests.order_by("-number").values_list("number", flat=True).first()
    change = ChangeRequest(
        client=project.client,
        project=project,
        number=(last or 0) + 1,
        title=title,
        description=description.strip(),
        impact_days=impact_days,
        impact_scope=impact_scope.strip(),
        impact_cost=_cost(impact_cost),
        impact_quality=impact_quality.strip(),
        proposed_by=user if getattr(user, "pk", None) else None,
    )
    audit_as(change, user, "proposed")
    change.save()
    return change


@transaction.atomic
def decide_change_request(
    *, change: ChangeRequest, approve: bool, user, comment: str = ""
) -> ChangeRequest:
    """The client approves or rejects a proposed change; only the client's approver may.

    Approving a change with an impact on time moves the planned date of every milestone not yet
    reached by that many days (the agreed baseline changes with the agreement, and only then).
    """
    role = role_for(user, change.client)
    if role in CMO_ROLES:
        raise NotAllowed("Only the client approves or rejects its change requests, not the CMO.")
    if role not in DECIDERS:
        raise NotAllowed("Only the client's approver may approve or reject change requests.")
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk, client=change.client)
    if change.status != ChangeRequest.Status.PROPOSED:
        raise WorkflowError(
            f"CR-{change.number} was already {change.get_status_display().lower()}."
        )
    comment = comment.strip()
    if not approve and not comment:
        raise WorkflowError("Say why the change request is rejected.")
    change.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REJECTED
    change.decided_by = user if getattr(user, "pk", None) else None
    change.decided_at = timezone.now()
    change.decision_comment = comment
    audit_as(change, user, "approved" if approve else "rejected")
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    if approve and change.impact_days:
        shift = dt.timedelta(days=change.impact_days)
        for phase in Phase.objects.filter(
            client=change.client, project_id=change.project_id, actual_date__isnull=True
        ):
            phase.planned_date += shift
            _check_date(phase.planned_date, "A moved milestone")
            audit_as(phase, user, f"CR-{change.number} approved")
            phase.save(update_fields=["planned_date"])
    return change


# --- comments ---------------------------------------------------------------------------------


COMMENT_LIMIT = 10_000


def add_comment(model: type[Comment], *, record, field: str, text: str, user, what: str):
    """Save a comment on `record` (a project, or a risk in tower.risks) as `model`, whose link
    to the record is `field`: the same rules for every commented record (who may, how long)."""
    require_role(user, record.client, COMMENTERS, f"comment on {what}")
    text = text.strip()
    if not text:
        raise WorkflowError("Write a comment first.")
    if len(text) > COMMENT_LIMIT:
        raise WorkflowError("A comment is at most 10,000 characters.")
    return model.objects.create(
        client=record.client,
        author=user if getattr(user, "pk", None) else None,
        text=text,
        **{field: record},
    )


@transaction.atomic
def add_project_comment(*, project: Project, text: str, user) -> ProjectComment:
    return add_comment(
        ProjectComment, record=project, field="project", text=text, user=user, what="projects"
    )
