"""The customer-lens FMEA for harmonising sites (kpis.md 10).

Each FmeaItem is a difference between sites in one process area (what differs, at which sites)
with its failure mode as the client would experience it, rated S (three lenses; S = the highest),
O and D; its Action Priority comes from tower.engine.fmea. Actions have an owner and a due date;
revised ratings are set only once an action is completed and verified (services.revise_item).
Every rating, initial, corrected or revised, is kept in RatingLog with who, when and why.

Who sees a row: the FMEA is the CMO's, across sites. A row that concerns one client carries it
(`client`) and is seen by that client's users and the CMO; a row without a client concerns every
client and is seen by the CMO only (admins, and staff of any client). See FmeaQuerySet.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from tower.engine.fmea import LENSES, PRIORITY_NAMES
from tower.masterdata.models import FunctionalArea, Site
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet, is_cmo_admin, sees_client_names


class ProcessArea(models.Model):
    """A process area the sites run differently (reference data, seeded by a migration).

    `functional_areas` is the mapping to the functional areas of kpis.md 2: the deviations and
    failed lines traced to those areas are the evidence shown beside occurrence.
    """

    code = models.CharField(max_length=40, primary_key=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    functional_areas = models.ManyToManyField(
        FunctionalArea,
        related_name="+",
        blank=True,
        help_text="Deviations and failed lines of these functional areas are this area's evidence",
    )

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class FmeaQuerySet(ClientOwnedQuerySet):
    def visible_to(self, principal):
        """The client's own rows (tower.tenancy.scoping); CMO-wide rows to the CMO only."""
        scoped = super().visible_to(principal)
        if is_cmo_admin(principal) or not sees_client_names(principal):
            return scoped
        return scoped | self.filter(client__isnull=True)


PRIORITY_CHOICES = [(code, name) for code, name in PRIORITY_NAMES.items()]
LENS_FIELDS = tuple(f"severity_{lens}" for lens, _ in LENSES)
RATING_FIELDS = (*LENS_FIELDS, "occurrence", "detection")


class FmeaItem(models.Model):
    """One difference between sites and its failure mode, as the client would experience it."""

    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The client the difference concerns; empty: every client (CMO-internal)",
    )
    process_area = models.ForeignKey(
        ProcessArea, on_delete=models.PROTECT, related_name="items", db_index=False
    )
    sites = models.ManyToManyField(
        Site, related_name="+", help_text="The sites whose practice differs"
    )
    difference = models.TextField(help_text="What differs between the sites")
    failure_mode = models.TextField(help_text="The failure as the client would experience it")
    # The assessment (RatingLog keeps every version of it).
    severity_site = models.PositiveSmallIntegerField()
    severity_client = models.PositiveSmallIntegerField()
    severity_patient = models.PositiveSmallIntegerField()
    occurrence = models.PositiveSmallIntegerField()
    detection = models.PositiveSmallIntegerField()
    severity = models.PositiveSmallIntegerField(help_text="S: the highest of the three lenses")
    ap = models.CharField(max_length=1, choices=PRIORITY_CHOICES)
    ap_rank = models.PositiveSmallIntegerField(help_text="3 for H, 2 for M, 1 for L (sorting)")
    rpn = models.PositiveSmallIntegerField(help_text="S x O x D, for information only")
    # Set only after an action is completed and verified (services.revise_item).
    revised_severity_site = models.PositiveSmallIntegerField(null=True, blank=True)
    revised_severity_client = models.PositiveSmallIntegerField(null=True, blank=True)
    revised_severity_patient = models.PositiveSmallIntegerField(null=True, blank=True)
    revised_occurrence = models.PositiveSmallIntegerField(null=True, blank=True)
    revised_detection = models.PositiveSmallIntegerField(null=True, blank=True)
    revised_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    revised_ap = models.CharField(max_length=1, choices=PRIORITY_CHOICES, blank=True)
    revised_ap_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    revised_rpn = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    objects = FmeaQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sites])

    class Meta:
        verbose_name = "FMEA row"
        indexes = [
            models.Index(fields=["client", "process_area"], name="fmea_item_client_area"),
            models.Index(fields=["client", "ap_rank", "severity"], name="fmea_item_client_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.process_area_id}: {self.difference[:60]}"

    @property
    def is_revised(self) -> bool:
        return self.revised_ap != ""

    def current(self, name: str):
        """The revised rating once there is one, else the initial one."""
        return getattr(self, f"revised_{name}") if self.is_revised else getattr(self, name)

    @property
    def current_ap(self) -> str:
        return self.current("ap")


class FmeaAction(models.Model):
    """An action that removes a difference (harmonises the sites), with its owner and due date.

    Completed, then verified (by someone other than who completed it); only a verified action
    lets its row be re-rated (services.revise_item).
    """

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    item = models.ForeignKey(
        FmeaItem, on_delete=models.CASCADE, related_name="actions", db_index=False
    )
    description = models.TextField()
    owner = models.CharField(max_length=150, help_text="Who is responsible")
    due_date = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.CharField(max_length=150, blank=True)
    completion_note = models.TextField(blank=True)
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.CharField(max_length=150, blank=True)
    verification_note = models.TextField(blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    objects = FmeaQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "FMEA action"
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["client", "item"], name="fmea_action_client_item")]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_completed(self) -> bool:
        return self.completed_on is not None

    @property
    def is_verified(self) -> bool:
        return self.verified_on is not None

    def is_overdue(self, today) -> bool:
        return self.completed_on is None and self.due_date < today


class RatingKind(models.TextChoices):
    INITIAL = "initial", "Initial assessment"
    CORRECTED = "corrected", "Assessment corrected"
    REVISED = "revised", "Revised after a verified action"


class RatingLog(models.Model):
    """One rating of a row: who, when, why, and the ratings and priority it gave."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    item = models.ForeignKey(
        FmeaItem, on_delete=models.CASCADE, related_name="ratings", db_index=False
    )
    kind = models.CharField(max_length=10, choices=RatingKind.choices)
    severity_site = models.PositiveSmallIntegerField()
    severity_client = models.PositiveSmallIntegerField()
    severity_patient = models.PositiveSmallIntegerField()
    occurrence = models.PositiveSmallIntegerField()
    detection = models.PositiveSmallIntegerField()
    severity = models.PositiveSmallIntegerField()
    ap = models.CharField(max_length=1, choices=PRIORITY_CHOICES)
    rpn = models.PositiveSmallIntegerField()
    action = models.ForeignKey(
        FmeaAction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="The verified action a revised rating follows",
    )
    reason = models.TextField()
    rated_by = models.CharField(max_length=150)
    rated_at = models.DateTimeField()

    objects = FmeaQuerySet.as_manager()

    class Meta:
        ordering = ["-rated_at", "-id"]
        indexes = [models.Index(fields=["client", "item"], name="rating_log_client_item")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="rating_log_reason_required")
        ]
