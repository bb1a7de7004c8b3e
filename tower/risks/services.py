"""Writes for risk registers (kpis.md 10): the client's matrix versions, risks and their
ratings, plans, actions, re-rating after the plan, reviews and comments.

Every step ends with refresh_risk(): the level is looked up in the risk's matrix version, the
colour and next review are computed by tower.engine.risk, and the project's count of open red
risks (its health) is refreshed through tower.projects.services. Every rating change is audited
(django-simple-history keeps who, when, the values before and after, and the reason).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from tower.engine import risk as rules
from tower.projects.models import Project
from tower.projects.services import add_comment, set_open_red_risks
from tower.risks.models import Risk, RiskAction, RiskComment, RiskMatrix
from tower.tenancy.models import Client
from tower.tenancy.scoping import CMO_ADMIN, CMO_ROLES, require_role
from tower.workflow import NotAllowed, WorkflowError, audit_as

__all__ = ["NotAllowed", "WorkflowError"]

MATRIX_EDITORS = frozenset({CMO_ADMIN})


def engine_matrix(matrix: RiskMatrix) -> rules.Matrix:
    return rules.Matrix(
        grid=tuple(tuple(row) for row in matrix.grid),
        probability_labels=tuple(matrix.probability_labels),
        impact_labels=tuple(matrix.impact_labels),
        review_days=dict(matrix.review_days),
    )


def matrix_for(client: Client) -> RiskMatrix:
    """The client's matrix in force (its latest version); the default 5 x 5 on first use."""
    matrix = RiskMatrix.objects.filter(client=client).order_by("-version").first()
    if matrix is not None:
        return matrix
    default = rules.DEFAULT_MATRIX
    matrix, _ = RiskMatrix.objects.get_or_create(
        client=client,
        version=1,
        defaults={
            "grid": [list(row) for row in default.grid],
            "probability_labels": list(default.probability_labels),
            "impact_labels": list(default.impact_labels),
            "review_days": dict(default.review_days),
            "note": "The default 5 x 5 matrix",
        },
    )
    return matrix


@transaction.atomic
def set_matrix(
    *,
    client: Client,
    grid,
    user,
    probability_labels=(),
    impact_labels=(),
    review_days=None,
    note: str = "",
) -> RiskMatrix:
    """A new version of the client's matrix. Risks keep the version they were rated on until
    they are rated again."""
    require_role(user, client, MATRIX_EDITORS, "change the risk matrix")
    review_days = dict(review_days or rules.DEFAULT_REVIEW_DAYS)
    try:
        rules.Matrix(
            grid=tuple(tuple(row) for row in grid),
            probability_labels=tuple(probability_labels),
            impact_labels=tuple(impact_labels),
            review_days=review_days,
        )
    except rules.RatingError as exc:
        raise WorkflowError(str(exc)) from exc
    last = matrix_for(client)
    return RiskMatrix.objects.create(
        client=client,
        version=last.version + 1,
        grid=[list(row) for row in grid],
        probability_labels=list(probability_labels),
        impact_labels=list(impact_labels),
        review_days=review_days,
        note=note.strip()[:300],
        created_by=user if getattr(user, "pk", None) else None,
    )


def _rate(matrix: RiskMatrix, probability, impact) -> tuple[int, int, str]:
    grid = engine_matrix(matrix)
    try:
        p = rules.rating(probability, grid.probabilities, "Probability")
        i = rules.rating(impact, grid.impacts, "Impact")
    except rules.RatingError as exc:
        raise WorkflowError(str(exc)) from exc
    return p, i, grid.level(p, i)


def refresh_risk(risk: Risk, *, save_fields: list[str], user, reason: str) -> Risk:
    """Colour and next review from the stored ratings and actions, then save (audited) and
    refresh the project's count of open red risks."""
    counts = {"total": 0, "open": 0, "last_closed": None}
    if risk.pk is not None:
        counts = RiskAction.objects.filter(client=risk.client, risk=risk).aggregate(
            total=Count("id"),
            open=Count("id", filter=Q(status=RiskAction.Status.OPEN)),
            last_closed=Max("closed_at"),
        )
    completed = rules.plan_completed(
        actions=counts["total"],
        open_actions=counts["open"],
        last_closed=counts["last_closed"],
        rerated=risk.rerated_at,
    )
    risk.colour = rules.colour(risk.level, completed=completed)
    risk.next_review_on = rules.next_review(
        risk.last_reviewed_on, risk.current_level, risk.matrix.review_days
    )
    audit_as(risk, user, reason)
    if risk.pk is None:
        risk.save()
    else:
        risk.save(update_fields=[*save_fields, "colour", "next_review_on"])
    refresh_project(risk.project)
    return risk


def refresh_project(project: Project) -> None:
    red = Risk.objects.filter(client=project.client, project=project, colour=rules.RED).count()
    set_open_red_risks(project=project, count=red)


@transaction.atomic
def record_risk(
    *,
    project: Project,
    title: str,
    owner: str,
    probability,
    impact,
    user,
    description: str = "",
    response: str = "",
    contingency: str = "",
    today: dt.date | None = None,
) -> Risk:
    require_role(user, project.client, CMO_ROLES, "record risks")
    title, owner = title.strip(), owner.strip()
    if not title:
        raise WorkflowError("Give the risk a title.")
    if not owner:
        raise WorkflowError("Name the risk's owner.")
    matrix = matrix_for(project.client)
    p, i, level = _rate(matrix, probability, impact)
    last = Risk.objects.filter(client=project.client, project=project).aggregate(n=Max("number"))
    risk = Risk(
        client=project.client,
        project=project,
        number=(last["n"] or 0) + 1,
        title=title,
        owner=owner,
        description=description.strip(),
        matrix=matrix,
        probability=p,
        impact=i,
        level=level,
        response=response.strip(),
        contingency=contingency.strip(),
        last_reviewed_on=today or timezone.localdate(),
        created_by=user if getattr(user, "pk", None) else None,
    )
    return refresh_risk(risk, save_fields=[], user=user, reason="recorded")


@transaction.atomic
def rate_risk(*, risk: Risk, probability, impact, user, reason: str = "") -> Risk:
    """Rate the risk again before (or regardless of) its plan, on the matrix in force."""
    require_role(user, risk.client, CMO_ROLES, "rate risks")
    matrix = matrix_for(risk.client)
    previous = risk.matrix_id
    risk.probability, risk.impact, risk.level = _rate(matrix, probability, impact)
    risk.matrix = matrix
    fields = ["probability", "impact", "level", "matrix"]
    if risk.residual_probability is not None and risk.matrix_id != previous:
        # The residual was read on another matrix version: the plan is re-rated on this one.
        risk.residual_probability = risk.residual_impact = risk.rerated_at = None
        risk.residual_level = ""
        fields += ["residual_probability", "residual_impact", "residual_level", "rerated_at"]
    return refresh_risk(risk, save_fields=fields, user=user, reason=reason or "rated")


@transaction.atomic
def update_plan(
    *, risk: Risk, response: str, contingency: str, owner: str, user, description: str = ""
) -> Risk:
    require_role(user, risk.client, CMO_ROLES, "update risk plans")
    owner = owner.strip()
    if not owner:
        raise WorkflowError("Name the risk's owner.")
    risk.response, risk.contingency, risk.owner = response.strip(), contingency.strip(), owner
    risk.description = description.strip() or risk.description
    fields = ["response", "contingency", "owner", "description"]
    return refresh_risk(risk, save_fields=fields, user=user, reason="plan")


@transaction.atomic
def add_action(
    *, risk: Risk, title: str, owner: str, user, due_date: dt.date | None = None
) -> RiskAction:
    require_role(user, risk.client, CMO_ROLES, "add risk actions")
    title, owner = title.strip(), owner.strip()
    if not title or not owner:
        raise WorkflowError("Give the action a title and an owner.")
    if due_date is not None and not 1900 <= due_date.year <= 2999:
        raise WorkflowError("The due date must lie in the years 1900 to 2999.")
    action = RiskAction(client=risk.client, risk=risk, title=title, owner=owner, due_date=due_date)
    audit_as(action, user, "added")
    action.save()
    refresh_risk(risk, save_fields=[], user=user, reason="action added")
    return action


@transaction.atomic
def close_action(*, action: RiskAction, user) -> RiskAction:
    require_role(user, action.client, CMO_ROLES, "close risk actions")
    if action.status == RiskAction.Status.CLOSED:
        raise WorkflowError("The action is closed already.")
    action.status = RiskAction.Status.CLOSED
    action.closed_at = timezone.now()
    action.closed_by = user if getattr(user, "pk", None) else None
    audit_as(action, user, "closed")
    action.save(update_fields=["status", "closed_at", "closed_by"])
    risk = Risk.objects.select_related("project", "matrix").get(
        pk=action.risk_id, client=action.client
    )
    refresh_risk(risk, save_fields=[], user=user, reason="action closed")
    return action


@transaction.atomic
def rerate_risk(
    *, risk: Risk, probability, impact, user, reason: str = "", today: dt.date | None = None
) -> Risk:
    """Re-rate the risk after its plan (residual probability and impact). It counts as a
    review; with every action closed it completes the plan (grey)."""
    require_role(user, risk.client, CMO_ROLES, "re-rate risks")
    p, i, level = _rate(risk.matrix, probability, impact)
    risk.residual_probability, risk.residual_impact, risk.residual_level = p, i, level
    risk.rerated_at = timezone.now()
    risk.rerated_by = user if getattr(user, "pk", None) else None
    risk.last_reviewed_on = today or timezone.localdate()
    fields = [
        "residual_probability",
        "residual_impact",
        "residual_level",
        "rerated_at",
        "rerated_by",
        "last_reviewed_on",
    ]
    return refresh_risk(risk, save_fields=fields, user=user, reason=reason or "re-rated")


@transaction.atomic
def review_risk(*, risk: Risk, user, note: str = "", today: dt.date | None = None) -> Risk:
    """The risk was reviewed (its rating still holds): the next review follows the cadence."""
    require_role(user, risk.client, CMO_ROLES, "review risks")
    risk.last_reviewed_on = today or timezone.localdate()
    return refresh_risk(
        risk, save_fields=["last_reviewed_on"], user=user, reason=note.strip() or "reviewed"
    )


@transaction.atomic
def add_risk_comment(*, risk: Risk, text: str, user) -> RiskComment:
    return add_comment(RiskComment, record=risk, field="risk", text=text, user=user, what="risks")
