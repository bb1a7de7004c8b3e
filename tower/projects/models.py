"""Client projects (technology transfers, new products, process changes): their phases and
milestones, checklists per phase from the CMO's template library, change requests the client
approves or rejects, and comments from both sides.

Every write goes through tower.projects.services (keyword-only functions taking the acting
user); the history of each record (django-simple-history) keeps who changed what and when.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tower.engine.projects import PROJECT_TYPES
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet

USER = settings.AUTH_USER_MODEL


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="projects")
    code = models.CharField(max_length=40, help_text="Short code, unique for the client")
    name = models.CharField(max_length=200)
    kind = models.CharField(
        "type", max_length=20, choices=list(PROJECT_TYPES.items()), default="tech_transfer"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    cmo_manager = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    client_contact = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    description = models.TextField(blank=True)
    # Kept by tower.risks.services after every change of the project's risks (a higher layer
    # refreshes what it feeds, explicitly): the health rule reads it.
    open_red_risks = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["open_red_risks"])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "code"], name="one_project_code_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Phase(models.Model):
    """A phase of a project, ending in its milestone (planned, forecast and actual dates)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="phases", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    planned_date = models.DateField(help_text="The milestone as planned")
    forecast_date = models.DateField(
        null=True, blank=True, help_text="The milestone as now expected (empty: as planned)"
    )
    actual_date = models.DateField(null=True, blank=True, help_text="When it was reached")

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "project", "position"], name="one_phase_per_position"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplate(models.Model):
    """A checklist in the CMO's library, reused on any project (not client-owned)."""

    name = models.CharField(max_length=200, unique=True)
    project_type = models.CharField(
        max_length=20, blank=True, choices=list(PROJECT_TYPES.items()), help_text="Empty: any"
    )
    phase = models.CharField(max_length=100, blank=True, help_text="The phase it suits, if any")
    description = models.TextField(blank=True)
    items = models.JSONField(default=list, help_text="The items, in order")
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Checklist(models.Model):
    """A checklist of one phase, copied from a template (later template edits leave it alone)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    phase = models.ForeignKey(
        Phase, on_delete=models.CASCADE, related_name="checklists", db_index=False
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["client", "phase"], name="checklist_client_phase")]


class ChecklistItem(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "checklist", "position"], name="one_item_per_position"
            )
        ]


class ChangeRequest(models.Model):
    """A change the CMO proposes, with its impact on time, scope, cost and quality; the client
    approves or rejects it (tower.projects.services.decide_change_request)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="change_requests", db_index=False
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    impact_days = models.IntegerField(
        "impact on time (days)", default=0, help_text="Days the end moves (negative: earlier)"
    )
    impact_scope = models.TextField("impact on scope", blank=True)
    impact_cost = models.DecimalField("impact on cost", max_digits=14, decimal_places=2, default=0)
    impact_quality = models.TextField("impact on quality", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "project", "number"], name="one_change_request_number"
            )
        ]


class Comment(models.Model):
    """A comment on a record, from the CMO or the client (both see every comment): the fields
    a project's and a risk's comments share (tower.risks builds on this layer). A concrete
    comment adds the link to its record, related_name="comments", and its client index."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class ProjectComment(Comment):
    """A comment on a project, from the CMO or the client (both see every comment)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="comments", db_index=False
    )

    class Meta(Comment.Meta):
        indexes = [models.Index(fields=["client", "project"], name="project_comment_client")]
