"""Risk registers of client projects (kpis.md 10).

Each client's agreement has a risk matrix, stored as data and versioned (RiskMatrix: the grid of
levels, the labels of each probability and impact, the review cadence per level); a risk is
rated on one version of it, and its level is the cell its probability and impact point at
(tower.engine.risk). The level, colour and next review are stored with the risk, written only by
tower.risks.services, which also refreshes the project's count of open red risks (its health).
Every rating change is kept in the history (django-simple-history).
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tower.engine.risk import COLOUR_NAMES, LEVEL_NAMES
from tower.projects.models import Comment, Project
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet

USER = settings.AUTH_USER_MODEL
LEVEL_CHOICES = list(LEVEL_NAMES.items())


def _user(**extra):
    return models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        **extra,
    )


class RiskMatrix(models.Model):
    """One version of a client's risk matrix: never edited, a change is a new version."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="risk_matrices")
    version = models.PositiveIntegerField()
    # grid[probability - 1][impact - 1] is a level code (tower.engine.risk.LEVELS).
    grid = models.JSONField()
    probability_labels = models.JSONField(default=list)
    impact_labels = models.JSONField(default=list)
    review_days = models.JSONField(help_text="Days between reviews per level")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "version"], name="one_risk_matrix_version_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} risk matrix v{self.version}"


class Risk(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="risks", db_index=False
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Cause and effect")
    owner = models.CharField(max_length=150, help_text="Who manages it (name or function)")
    matrix = models.ForeignKey(
        RiskMatrix, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    probability = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=LEVEL_CHOICES)
    response = models.TextField(blank=True, help_text="Mitigation: how the risk is reduced")
    contingency = models.TextField(blank=True, help_text="What is done if it happens")
    residual_probability = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_level = models.CharField(max_length=10, blank=True, choices=LEVEL_CHOICES)
    rerated_at = models.DateTimeField(null=True, blank=True)
    rerated_by = _user()
    colour = models.CharField(
        max_length=6, blank=True, choices=[(k, v) for k, v in COLOUR_NAMES.items()]
    )
    last_reviewed_on = models.DateField()
    next_review_on = models.DateField()
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "project", "number"], name="one_risk_number_per_project"
            )
        ]
        indexes = [
            models.Index(fields=["client", "next_review_on"], name="risk_client_next_review")
        ]

    def __str__(self) -> str:
        return f"R{self.number} {self.title}"

    @property
    def current_level(self) -> str:
        """The level the review cadence follows: residual once re-rated, else inherent."""
        return self.residual_level or self.level


class RiskAction(models.Model):
    """An action of a risk's plan (the risks' own list: no actions register exists yet)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions", db_index=False)
    title = models.CharField(max_length=300)
    owner = models.CharField(max_length=150)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = _user()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["client", "risk"], name="risk_action_client_risk")]


class RiskComment(Comment):
    """A comment on a risk, from the CMO or the client (both see every comment)."""

    risk = models.ForeignKey(
        Risk, on_delete=models.CASCADE, related_name="comments", db_index=False
    )

    class Meta(Comment.Meta):
        indexes = [models.Index(fields=["client", "risk"], name="risk_comment_client_risk")]
