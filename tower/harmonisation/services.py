"""Writes of the customer-lens FMEA: keyword-only functions taking the acting user.

Rules (kpis.md 10): ratings are whole numbers 1 to 10 (tower.engine.fmea says which one is
wrong); every rating needs a reason and is kept in RatingLog with who and when; revised ratings
are set only once an action of the row is completed and verified; an action is verified by
someone other than who completed it. A row about one client is written by the CMO side of that
client (CMO admins and its CMO staff); a row about every client by CMO admins only.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tower.engine import fmea
from tower.harmonisation.models import (
    RATING_FIELDS,
    FmeaAction,
    FmeaItem,
    ProcessArea,
    RatingKind,
    RatingLog,
)
from tower.masterdata.models import Site
from tower.tenancy.scoping import CMO_ROLES, is_cmo_admin, require_role
from tower.workflow import NotAllowed, WorkflowError, audit_as

TEXT_LIMIT = 10_000


def _name(user) -> str:
    return getattr(user, "username", "") or str(user)


def require_cmo(user, client, action: str) -> None:
    """The CMO side of the row's client; CMO admins only for a row about every client."""
    if client is None:
        if not is_cmo_admin(user):
            raise NotAllowed(f"Only a CMO admin may {action} for a row that concerns every client.")
        return
    require_role(user, client, CMO_ROLES, action)


def _text(value: str, what: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise WorkflowError(f"{what} is required.")
    if len(value) > TEXT_LIMIT:
        raise WorkflowError(f"{what} is longer than {TEXT_LIMIT:,} characters.")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise WorkflowError(f"{what} holds a control character.")
    return value


def assess(ratings: dict) -> dict:
    """The ratings checked (a clear WorkflowError for a bad one), with S, AP, rank and RPN."""
    names = {
        "severity_site": "Severity (site)",
        "severity_client": "Severity (client)",
        "severity_patient": "Severity (patient or regulatory)",
        "occurrence": "Occurrence",
        "detection": "Detection",
    }
    try:
        values = {field: fmea.rating(ratings.get(field), names[field]) for field in RATING_FIELDS}
    except fmea.RatingError as exc:
        raise WorkflowError(str(exc)) from None
    s = fmea.severity(
        values["severity_site"], values["severity_client"], values["severity_patient"]
    )
    ap = fmea.action_priority(s, values["occurrence"], values["detection"])
    return {
        **values,
        "severity": s,
        "ap": ap,
        "ap_rank": fmea.PRIORITY_RANK[ap],
        "rpn": fmea.rpn(s, values["occurrence"], values["detection"]),
    }


def _log(item: FmeaItem, kind: str, values: dict, reason: str, user, action=None) -> RatingLog:
    return RatingLog.objects.create(
        client=item.client,
        item=item,
        kind=kind,
        action=action,
        reason=reason,
        rated_by=_name(user),
        rated_at=timezone.now(),
        **{k: v for k, v in values.items() if k != "ap_rank"},
    )


def create_item(
    *,
    user,
    process_area: ProcessArea,
    sites: list[Site],
    difference: str,
    failure_mode: str,
    ratings: dict,
    reason: str,
    client=None,
) -> FmeaItem:
    """A new row with its initial assessment (logged with the reason)."""
    require_cmo(user, client, "add FMEA rows")
    sites = list(sites)
    if len(sites) < 1:
        raise WorkflowError("Name at least one site whose practice differs.")
    values = assess(ratings)
    reason = _text(reason, "A reason for the rating")
    item = FmeaItem(
        client=client,
        process_area=process_area,
        difference=_text(difference, "What differs"),
        failure_mode=_text(failure_mode, "The failure mode as the client would experience it"),
        created_by=_name(user),
        created_at=timezone.now(),
        **values,
    )
    audit_as(item, user, reason)
    item.save()
    item.sites.set(sites)
    _log(item, RatingKind.INITIAL, values, reason, user)
    return item


def edit_item(
    *,
    user,
    item: FmeaItem,
    process_area: ProcessArea,
    sites: list[Site],
    difference: str,
    failure_mode: str,
    reason: str,
) -> FmeaItem:
    """Correct what differs, at which sites and how the client feels it (audited with the reason;
    the ratings change only through rate_item and revise_item, each logged)."""
    require_cmo(user, item.client, "edit FMEA rows")
    sites = list(sites)
    if len(sites) < 1:
        raise WorkflowError("Name at least one site whose practice differs.")
    reason = _text(reason, "A reason for the change")
    item.process_area = process_area
    item.difference = _text(difference, "What differs")
    item.failure_mode = _text(failure_mode, "The failure mode as the client would experience it")
    audit_as(item, user, reason)
    item.save()
    if {s.pk for s in sites} != set(item.sites.values_list("pk", flat=True)):
        audit_as(item, user, reason)
        item.sites.set(sites)
    return item


def rate_item(*, user, item: FmeaItem, ratings: dict, reason: str) -> FmeaItem:
    """Correct the assessment (new evidence, a better reading): logged with the reason.

    This changes the initial ratings; lowering a priority because something was done is a
    revision, which needs a verified action (revise_item).
    """
    require_cmo(user, item.client, "rate FMEA rows")
    values = assess(ratings)
    reason = _text(reason, "A reason for the rating")
    for name, value in values.items():
        setattr(item, name, value)
    audit_as(item, user, reason)
    item.save()
    _log(item, RatingKind.CORRECTED, values, reason, user)
    return item


def revise_item(
    *, user, item: FmeaItem, action: FmeaAction, ratings: dict, reason: str
) -> FmeaItem:
    """Revised S, O, D and AP after `action`, which must be completed and verified."""
    require_cmo(user, item.client, "revise FMEA ratings")
    if action.item_id != item.pk:
        raise WorkflowError("That action belongs to another row.")
    if not action.is_completed:
        raise WorkflowError(
            "Revised ratings are set only once an action is completed and verified: "
            f"“{action}” is not completed yet."
        )
    if not action.is_verified:
        raise WorkflowError(
            "Revised ratings are set only once an action is completed and verified: "
            f"“{action}” is completed but not verified yet."
        )
    values = assess(ratings)
    reason = _text(reason, "A reason for the rating")
    for name, value in values.items():
        setattr(item, f"revised_{name}", value)
    audit_as(item, user, reason)
    item.save()
    _log(item, RatingKind.REVISED, values, reason, user, action=action)
    return item


def add_action(
    *, user, item: FmeaItem, description: str, owner: str, due_date: dt.date
) -> FmeaAction:
    require_cmo(user, item.client, "add FMEA actions")
    if not isinstance(due_date, dt.date) or not 1900 <= due_date.year <= 2999:
        raise WorkflowError("The due date must be a date in the years 1900 to 2999.")
    action = FmeaAction(
        client=item.client,
        item=item,
        description=_text(description, "The action"),
        owner=_text(owner, "The owner")[:150],
        due_date=due_date,
        created_by=_name(user),
        created_at=timezone.now(),
    )
    audit_as(action, user, "action added")
    action.save()
    return action


def complete_action(*, user, action: FmeaAction, note: str, on: dt.date | None = None):
    require_cmo(user, action.client, "complete FMEA actions")
    if action.is_completed:
        raise WorkflowError("This action is already completed.")
    action.completed_on = on or timezone.localdate()
    action.completed_by = _name(user)
    action.completion_note = _text(note, "What was done")
    audit_as(action, user, "completed")
    action.save()
    return action


def verify_action(*, user, action: FmeaAction, note: str, on: dt.date | None = None):
    """Verification that the completed action works, by someone other than who completed it."""
    require_cmo(user, action.client, "verify FMEA actions")
    if not action.is_completed:
        raise WorkflowError("An action is verified only after it is completed.")
    if action.is_verified:
        raise WorkflowError("This action is already verified.")
    if action.completed_by == _name(user):
        raise WorkflowError("The action must be verified by someone other than who completed it.")
    action.verified_on = on or timezone.localdate()
    action.verified_by = _name(user)
    action.verification_note = _text(note, "How it was verified")
    audit_as(action, user, "verified")
    action.save()
    return action
