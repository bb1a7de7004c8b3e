"""Reads of the actions register: the filtered, scoped list every page and download shares,
and the actions due and overdue that the board's fragment shows."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet
from django.urls import reverse

from tower.actions.forms import SORTS
from tower.actions.models import Action, Source

DUE_SOON_DAYS = 7  # the fragment's "due this week": today and the 6 days after


def register(principal, data: dict, client=None) -> QuerySet[Action]:
    """The principal's actions (tower.tenancy scoping) with the filters of the register form
    (`data`: cleaned data, a filter that did not validate left out) in the chosen order."""
    actions = Action.objects.select_related("client").visible_to(principal)
    if client is not None:
        actions = actions.filter(client=client)
    if data.get("source"):
        actions = actions.filter(source=data["source"])
    if data.get("owner"):
        actions = actions.filter(owner__icontains=data["owner"].strip())
    if data.get("status"):
        actions = actions.filter(status=data["status"])
    if data.get("overdue"):
        actions = actions.overdue(data["today"])
    if data.get("due_from"):
        actions = actions.filter(due_date__gte=data["due_from"])
    if data.get("due_to"):
        actions = actions.filter(due_date__lte=data["due_to"])
    sort = data.get("sort") or "due"
    fields = SORTS[sort.removeprefix("-")]
    descending = sort.startswith("-")
    # An action without a due date comes last whichever the direction (on both databases).
    order = [
        F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True) for f in fields
    ]
    if "due_date" not in fields:
        order.append(F("due_date").asc(nulls_last=True))
    return actions.order_by(*order, "pk")


def due_and_overdue(principal, today: dt.date, client=None, days: int = DUE_SOON_DAYS):
    """Open actions overdue or due within `days` (today included), soonest first."""
    actions = Action.objects.select_related("client").visible_to(principal).open()
    if client is not None:
        actions = actions.filter(client=client)
    last = today + dt.timedelta(days=days - 1)
    return actions.filter(due_date__lte=last).order_by("due_date", "pk")


def source_url(action: Action) -> str:
    """Where the action was agreed: the review's scorecard, or the URL its source recorded."""
    if action.source == Source.REVIEW and action.period:
        return (
            f"{reverse('scorecards:scorecard')}?client={action.client.code}"
            f"&period={action.period}#actions"
        )
    return action.source_url
