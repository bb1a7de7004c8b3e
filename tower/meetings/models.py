"""The meetings cadence of a service agreement (issue 11): recurring meeting series per client
(weekly operations call, monthly review, quarterly business review), each with a simple rule
(every N weeks or months from a first date) and the next due date; the meetings held, with
their date, attendees, minutes and decisions. The actions agreed in a meeting live in the
actions register (tower.actions, source "meeting").

A series' due occurrence is its `next_due`: holding the meeting moves it to the next occurrence
after the day it was held. A series is overdue when it is active and its next due date has
passed (tower.meetings.queries.is_overdue: the one definition). Audited (django-simple-history).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tower.meetings.recurrence import MONTHS, WEEKS
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet

MAX_EVERY = 52


class Kind(models.TextChoices):
    WEEKLY_OPERATIONS = "weekly_ops", "Weekly operations call"
    MONTHLY_REVIEW = "monthly_review", "Monthly review"
    QUARTERLY_REVIEW = "qbr", "Quarterly business review"
    OTHER = "other", "Other meeting"


# The usual rule of each kind, proposed when a series is created.
DEFAULT_RULES = {
    Kind.WEEKLY_OPERATIONS: (1, WEEKS),
    Kind.MONTHLY_REVIEW: (1, MONTHS),
    Kind.QUARTERLY_REVIEW: (3, MONTHS),
    Kind.OTHER: (1, MONTHS),
}


class Unit(models.TextChoices):
    WEEKS = WEEKS, "weeks"
    MONTHS = MONTHS, "months"


class MeetingSeries(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="meeting_series")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=150, help_text="As the invitation names it")
    every = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EVERY)],
        help_text="Held every this many weeks or months",
    )
    unit = models.CharField(max_length=6, choices=Unit.choices)
    first_date = models.DateField(
        help_text="The first meeting of the series: the rule counts from it"
    )
    next_due = models.DateField(help_text="The next meeting due")
    active = models.BooleanField(default=True, help_text="An ended series is never overdue")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "meeting series"
        ordering = ["client", "next_due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "title"], name="one_series_title_per_client"),
            models.CheckConstraint(
                condition=models.Q(every__gte=1, every__lte=MAX_EVERY), name="series_every_1_to_52"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    """A meeting of a series that was held: when, who attended, the minutes."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.CASCADE, related_name="meetings", db_index=False
    )
    due_date = models.DateField(help_text="The occurrence it was held for")
    held_on = models.DateField()
    attendees = models.TextField(help_text="Who attended, one per line (name, function, side)")
    minutes = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["client", "held_on"], name="meeting_client_held"),
            models.Index(fields=["client", "series"], name="meeting_client_series"),
        ]

    def __str__(self) -> str:
        return f"{self.series.title} {self.held_on:%Y-%m-%d}"

    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


class Decision(models.Model):
    """A decision taken in a meeting, in the words of the minutes."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="meeting_decisions")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", db_index=False
    )
    text = models.TextField()

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["client", "meeting"], name="decision_client_meeting")]

    def __str__(self) -> str:
        return self.text[:60]
