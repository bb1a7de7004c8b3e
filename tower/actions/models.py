"""The actions register (issue 11): one list of every action the CMO and a client agreed.

An action comes from a scorecard review, a meeting, an escalation or a delay notice (its
`source`), each with an owner, a due date and a status, audited (django-simple-history). The
apps above create them through tower.actions.services and name the record they came from
(`source_id`, `source_label`, `source_url`), so this app needs none of them.

Overdue is defined once, here: an open action whose due date is before today
(`is_overdue`, `ActionQuerySet.overdue`). Every page, fragment and download that flags an
overdue action asks this module.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


class Source(models.TextChoices):
    REVIEW = "review", "Scorecard review"
    MEETING = "meeting", "Meeting"
    ESCALATION = "escalation", "Escalation"
    NOTICE = "notice", "Delay notice"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


def is_overdue(status: str, due_date: dt.date | None, today: dt.date) -> bool:
    """The one definition: open, and due before `today` (an action without a due date never is)."""
    return status == Status.OPEN and due_date is not None and due_date < today


class ActionQuerySet(ClientOwnedQuerySet):
    def open(self):
        return self.filter(status=Status.OPEN)

    def overdue(self, today: dt.date):
        """is_overdue as a query."""
        return self.filter(status=Status.OPEN, due_date__lt=today)

    def not_overdue(self, today: dt.date):
        return self.exclude(status=Status.OPEN, due_date__lt=today)


class Action(models.Model):
    """An agreed action: what is to be done, by whom, by when, and where it was agreed."""

    Source = Source
    Status = Status

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="actions")
    source = models.CharField(
        max_length=12,
        choices=Source.choices,
        default=Source.REVIEW,
        help_text="Where it was agreed",
    )
    source_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The meeting, escalation or notice it was agreed in"
    )
    source_label = models.CharField(
        max_length=200, blank=True, help_text="The source as shown, e.g. “Delay notice 12”"
    )
    source_url = models.CharField(max_length=300, blank=True, help_text="Where the source is")
    period = models.CharField(
        max_length=7, blank=True, help_text="The scorecard period it was agreed in (reviews)"
    )
    kpi = models.CharField(max_length=40, blank=True, help_text="The KPI it should move, if any")
    title = models.CharField(max_length=300)
    owner = models.CharField(max_length=150, help_text="Who does it (name or function)")
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["client", "status", "due_date"], name="action_client_status_due"),
            models.Index(fields=["client", "source", "source_id"], name="action_client_source"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return is_overdue(self.status, self.due_date, today)
