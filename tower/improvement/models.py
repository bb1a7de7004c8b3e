"""Continuous improvement (issue 12, part 5): lessons learned and where they were spread, and
DMAIC improvement projects whose five phases each close by a tollgate.

A lesson belongs to a client when it concerns one (its users see it) or to no client (a CMO-wide
lesson, seen by the CMO's people only: LessonQuerySet.visible_to). An improvement project always
belongs to a client: it moves one of the client's scorecard KPIs (tower.engine.kpi_catalogue).
Foreign keys of client-owned rows are indexed client first (design.md, Scale path).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tower.engine.kpi_catalogue import KPIS
from tower.masterdata.models import FunctionalArea, Product, Site
from tower.projects.models import Project
from tower.quality.models import Capa, Deviation
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet, sees_client_names

KPI_CHOICES = [(k.code, k.name) for k in KPIS]


class CmoWideQuerySet(ClientOwnedQuerySet):
    """Client-owned rows, plus the CMO-wide ones (no client) for the CMO's own people.

    visible_to() is the tenancy rule (tower.tenancy.scoping.scope) for rows with a client; a row
    without one is the CMO's internal knowledge: a CMO admin or CMO staff member sees it, a
    client user never does.
    """

    def visible_to(self, principal) -> models.QuerySet:
        scoped = super().visible_to(principal)
        if not sees_client_names(principal):
            return scoped
        return scoped | self.filter(client__isnull=True)


class LessonSource(models.TextChoices):
    PROJECT = "project", "Client project"
    DEVIATION = "deviation", "Deviation"
    CAPA = "capa", "CAPA"
    ESCALATION = "escalation", "Escalation"
    OTHER = "other", "Other"


class Lesson(models.Model):
    """What happened, what was learnt, and (in LessonApplication) where else it applies."""

    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lessons",
        db_index=False,
        help_text="The client it concerns; empty for a CMO-wide lesson (CMO users only)",
    )
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=12, choices=LessonSource.choices)
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    deviation = models.ForeignKey(
        Deviation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    capa = models.ForeignKey(
        Capa, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # Escalations (issue 11) do not exist yet: their reference is kept as text until they do
    # (and a client project older than the tower can be named by its reference).
    reference = models.CharField(
        max_length=100, blank=True, help_text="An escalation's (or other source's) reference"
    )
    what_happened = models.TextField()
    lesson = models.TextField(help_text="What to do differently")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CmoWideQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        indexes = [
            models.Index(fields=["client", "created_at"], name="lesson_client_created"),
            models.Index(fields=["client", "deviation"], name="lesson_client_deviation"),
            models.Index(fields=["client", "capa"], name="lesson_client_capa"),
            models.Index(fields=["client", "project"], name="lesson_client_project"),
        ]

    def __str__(self) -> str:
        return self.title


class SpreadStatus(models.TextChoices):
    TO_SPREAD = "to_spread", "To spread"
    SPREAD = "spread", "Spread"
    NOT_APPLICABLE = "not_applicable", "Not applicable after all"


class LessonApplication(models.Model):
    """One place a lesson also applies (a site, a client or a process area) and whether it was
    spread there: who, when and how."""

    class Kind(models.TextChoices):
        SITE = "site", "Site"
        CLIENT = "client", "Client"
        AREA = "area", "Process area"

    # The lesson's client (empty for a CMO-wide lesson): the rows are scoped like their lesson.
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="applications", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    target_client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    area = models.ForeignKey(
        FunctionalArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(
        max_length=16, choices=SpreadStatus.choices, default=SpreadStatus.TO_SPREAD
    )
    spread_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    spread_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text="How it was spread, or why not")

    objects = CmoWideQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["client", "lesson"], name="lesson_app_client_lesson")]

    @property
    def place(self) -> str:
        return describe_place(self)


def describe_place(row) -> str:
    """Where a lesson applies, in words (a client by its name); `row` is a LessonApplication or
    one of its history records."""
    if row.kind == LessonApplication.Kind.SITE and row.site_id:
        return f"Site {row.site.code}"
    if row.kind == LessonApplication.Kind.CLIENT and row.target_client_id:
        return f"Client {row.target_client.name}"
    if row.kind == LessonApplication.Kind.AREA and row.area_id:
        return f"Process area {row.area.name}"
    return LessonApplication.Kind(row.kind).label


class Phase(models.TextChoices):
    """The five DMAIC phases, in the order they close."""

    DEFINE = "define", "Define"
    MEASURE = "measure", "Measure"
    ANALYSE = "analyse", "Analyse"
    IMPROVE = "improve", "Improve"
    CONTROL = "control", "Control"


PHASES = [p.value for p in Phase]


class ImprovementProject(models.Model):
    """A DMAIC project: its charter and where it stands (the phase open now, or its end)."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="improvement_projects", db_index=False
    )
    title = models.CharField(max_length=200)
    problem = models.TextField()
    kpi = models.CharField(max_length=40, choices=KPI_CHOICES, help_text="The KPI to move")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    baseline = models.FloatField(help_text="The KPI's value when the project started")
    target = models.FloatField(help_text="The value the project commits to reach")
    started_on = models.DateField(help_text="The KPI's trend is shown from this month on")
    sponsor = models.CharField(max_length=150)
    team = models.CharField(max_length=500, blank=True)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.DEFINE)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        indexes = [
            models.Index(fields=["client", "started_on"], name="improvement_client_started"),
            models.Index(fields=["client", "site"], name="improvement_client_site"),
            models.Index(fields=["client", "product"], name="improvement_client_product"),
        ]

    def __str__(self) -> str:
        return self.title


class Tollgate(models.Model):
    """The review that closes one DMAIC phase: its approver is named in advance, and only they
    decide go (the phase closes, the next opens), rework (the phase stays open) or stop."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Not decided yet"
        GO = "go", "Go"
        REWORK = "rework", "Rework"
        STOP = "stop", "Stop"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    project = models.ForeignKey(
        ImprovementProject, on_delete=models.CASCADE, related_name="tollgates", db_index=False
    )
    phase = models.CharField(max_length=10, choices=Phase.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    planned_on = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField(null=True, blank=True)
    comment = models.TextField(blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "project", "phase"], name="one_tollgate_per_phase"
            )
        ]

    @property
    def order(self) -> int:
        return PHASES.index(self.phase)
