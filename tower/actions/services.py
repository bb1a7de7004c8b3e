"""Writes of the actions register: add an action, change its status, owner or due date.

Keyword-only functions taking the acting user, audited (who, when, before and after). The apps
above call add_action (or add_agreed_actions, for the actions agreed on one record) with their source (a review, a meeting, an escalation, a notice) and the
record it came from; their own rules (a review action's period and KPI, who may record a
meeting) stay with them. A role that may not take a step gets NotAllowed, a step that cannot be
taken WorkflowError with the reason in the user's words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from tower.actions.models import Action, Source, Status
from tower.ingest.limits import CONTROL_CHARACTERS
from tower.tenancy.models import Client
from tower.tenancy.scoping import CMO_ROLES, require_role
from tower.workflow import WorkflowError, audit_as

# Who keeps the register: the CMO's people for the client (the client reads it).
KEEPERS = CMO_ROLES
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
TITLE_LIMIT = Action._meta.get_field("title").max_length
OWNER_LIMIT = Action._meta.get_field("owner").max_length


@dataclass(frozen=True)
class NewAction:
    """An action as a page or a caller above hands it in: what, who, by when."""

    title: str
    owner: str
    due_date: dt.date | None = None


def _text(value: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkflowError(f"An action needs {what}.")
    if len(value) > limit:
        raise WorkflowError(f"The action's {what} is too long: at most {limit} characters.")
    if re.search(CONTROL_CHARACTERS, value):
        raise WorkflowError(f"The action's {what} holds a control character; remove it.")
    return value


def _due(due_date: dt.date | None) -> dt.date | None:
    if due_date is not None and not (
        isinstance(due_date, dt.date) and FIRST_DATE <= due_date <= LAST_DATE
    ):
        raise WorkflowError("Give the due date between the years 1900 and 2999.")
    return due_date


@transaction.atomic
def add_action(
    *,
    client: Client,
    source: str,
    title: str,
    owner: str,
    user,
    due_date: dt.date | None = None,
    source_id: int | None = None,
    source_label: str = "",
    source_url: str = "",
    period: str = "",
    kpi: str = "",
    roles: frozenset[str] = KEEPERS,
) -> Action:
    """Add one agreed action to the client's register (the CMO's people by default; a caller
    whose own rule differs passes the roles it allows)."""
    require_role(user, client, roles, "record agreed actions")
    if source not in Source.values:
        raise WorkflowError(f"Unknown source {source!r}; valid: {', '.join(Source.values)}.")
    action = Action(
        client=client,
        source=source,
        source_id=source_id,
        source_label=source_label.strip()[:200] or Source(source).label,
        source_url=source_url[:300],
        period=period,
        kpi=kpi,
        title=_text(title, "what is to be done", TITLE_LIMIT),
        owner=_text(owner, "who does it", OWNER_LIMIT),
        due_date=_due(due_date),
        created_by=user if isinstance(user, get_user_model()) else None,
    )
    audit_as(action, user, "agreed")
    action.save()
    return action


@transaction.atomic
def add_agreed_actions(
    *,
    client: Client,
    source: str,
    source_id: int,
    source_label: str,
    source_url: str,
    agreed: Sequence[NewAction],
    user,
    roles: frozenset[str] = KEEPERS,
) -> list[Action]:
    """Add the actions agreed on one record (an escalation, a notice, a meeting) to the
    register, each pointing back to that record; the one loop every such caller shares."""
    return [
        add_action(
            client=client,
            source=source,
            source_id=source_id,
            source_label=source_label,
            source_url=source_url,
            title=action.title,
            owner=action.owner,
            due_date=action.due_date,
            user=user,
            roles=roles,
        )
        for action in agreed
    ]


@transaction.atomic
def set_status(*, action: Action, status: str, user, note: str = "") -> Action:
    """Mark an action open, done or cancelled (the CMO's people); the same status writes nothing."""
    require_role(user, action.client, KEEPERS, "update agreed actions")
    if status not in Status.values:
        raise WorkflowError(f"Unknown status {status!r}; valid: {', '.join(Status.values)}.")
    if action.status == status:
        return action
    action.status = status
    audit_as(action, user, note or f"marked {status}")
    action.save(update_fields=["status"])
    return action


@transaction.atomic
def reschedule(
    *, action: Action, owner: str, due_date: dt.date | None, user, note: str = ""
) -> Action:
    """Change who does an action and by when (the CMO's people); unchanged writes nothing."""
    require_role(user, action.client, KEEPERS, "update agreed actions")
    owner = _text(owner, "who does it", OWNER_LIMIT)
    due_date = _due(due_date)
    if (action.owner, action.due_date) == (owner, due_date):
        return action
    changes = []
    if action.owner != owner:
        changes.append(f"owner {action.owner} → {owner}")
    if action.due_date != due_date:
        was = action.due_date.isoformat() if action.due_date else "none"
        changes.append(f"due {was} → {due_date.isoformat() if due_date else 'none'}")
    action.owner, action.due_date = owner, due_date
    audit_as(action, user, note or "; ".join(changes))
    action.save(update_fields=["owner", "due_date"])
    return action
