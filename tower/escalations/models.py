"""Escalations (kpis.md 9) and the steps of each.

An escalation is about one subject (a line, a batch, a stock-out, a notice, or nothing but its
title when opened by hand); at most one is open per subject (a partial unique constraint on
`subject_key`, on SQLite and PostgreSQL alike). The client's escalation matrix in force when it
started is copied into `matrix` (levels, people, response times and the calendar of each), so
later edits of the agreement do not change a running escalation. The clock: `deadline` is when
the current level must have acknowledged; the worker (tower.escalations.tasks) moves an
unacknowledged escalation to the next level at that minute. Written only through
tower.escalations.services; every step is also in the client's communication log.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


class Escalation(models.Model):
    class Kind(models.TextChoices):
        LINE_LATE = "line_late", "Line projected late"
        STOCK_OUT_PROJECTED = "stock_out_projected", "Projected client stock-out"
        NOTICE_UNACKNOWLEDGED = "notice_unacknowledged", "Delay notice not acknowledged"
        DEVIATION = "deviation", "Major or critical deviation on a batch"
        STOCK_OUT_REPORTED = "stock_out_reported", "Stock-out reported by the client"
        CAUSE_DISPUTED = "cause_disputed", "Root cause disputed repeatedly"
        MANUAL = "manual", "Opened by hand"

    class Subject(models.TextChoices):
        LINE = "line", "Order line"
        BATCH = "batch", "Batch"
        STOCK_OUT = "stock_out", "Stock-out"
        NOTICE = "notice", "Delay notice"
        NONE = "none", "—"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="escalations", db_index=False
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject_type = models.CharField(max_length=10, choices=Subject.choices)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    # "line_late:line:42": one open escalation per key (the constraint below).
    subject_key = models.CharField(max_length=120)
    subject_label = models.CharField(max_length=300, help_text="What it is about, as shown")
    subject_url = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=300)
    site = models.ForeignKey(
        "masterdata.Site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # lists filter a client's escalations by site: the client index serves
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_by_name = models.CharField(max_length=150)
    opened_side = models.CharField(max_length=6)
    # The matrix in force when it started: a list of levels, each with its people, response
    # hours and calendar (tower.escalations.services.snapshot_matrix).
    matrix = models.JSONField()
    level = models.PositiveSmallIntegerField(default=1)
    level_started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    # The first level's deadline and the first acknowledgement: the KPI (kpis.md 9).
    first_deadline = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by_name = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by_name = models.CharField(max_length=150, blank=True)
    resolution = models.TextField(blank=True)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "subject_key"],
                condition=models.Q(status="open"),
                name="one_open_escalation_per_subject",
            )
        ]
        indexes = [
            models.Index(fields=["client", "status", "deadline"], name="escalation_client_clock"),
            models.Index(fields=["client", "opened_at"], name="escalation_client_opened"),
            # The worker's clock: open, unacknowledged, due (all clients at once).
            models.Index(fields=["status", "deadline"], name="escalation_clock"),
        ]

    def __str__(self) -> str:
        return f"Escalation {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def levels(self) -> list[dict]:
        return list(self.matrix.get("levels", []))

    @property
    def current_level(self) -> dict | None:
        levels = self.levels
        return levels[self.level - 1] if 0 < self.level <= len(levels) else None

    @property
    def clock_zone(self) -> str:
        """The time zone its clock counts in (the calendar of its current level, kept with the
        matrix): its times are shown in it, the zone named, on every page and in the mails."""
        level = self.current_level or (self.levels[-1] if self.levels else None)
        zone = (level or {}).get("calendar", {}).get("time_zone")
        return zone or settings.TIME_ZONE

    @property
    def last_level(self) -> bool:
        return self.level >= len(self.levels)

    @property
    def acknowledged_in_time(self) -> bool | None:
        if self.acknowledged_at is None or self.first_deadline is None:
            return None
        return self.acknowledged_at <= self.first_deadline


class EscalationStep(models.Model):
    """One step of an escalation: opened, moved up a level, acknowledged, commented, resolved."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        ESCALATED = "escalated", "Moved to the next level"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        COMMENT = "comment", "Comment"
        RESOLVED = "resolved", "Resolved"
        NOTIFIED = "notified", "Notified"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, related_name="steps", db_index=False
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    who = models.CharField(max_length=150)
    side = models.CharField(max_length=6)
    text = models.TextField(blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["client", "escalation", "at"], name="escalation_step_client")
        ]
