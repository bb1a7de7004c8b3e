"""Production and quality records behind the scorecard KPIs of kpis.md 4.

Batches, deviations (incidents) and their corrective actions (CAPA), and the weekly production
plan. All are client-owned and imported from the CMO's systems (`tower import batches|deviations|
capas|plan`); natural keys come from the source (client + batch number, deviation number, CAPA
number; client + product + site + week for the plan) and every index leads with client_id.
"""

from django.db import models

from tower.masterdata.models import FunctionalArea, Product, Site
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


class Disposition(models.TextChoices):
    """QC's decision on a batch. Blank while the batch is in production or in testing."""

    PENDING = "", "Not yet dispositioned"
    RELEASED = "released", "Released"
    REJECTED = "rejected", "Rejected"
    ON_HOLD = "on_hold", "On hold"
    REWORKED = "reworked", "Reworked"


class Batch(models.Model):
    """One manufactured lot of a client's product, from planned start to QC disposition."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="batches")
    number = models.CharField(max_length=100, help_text="The batch (lot) number")
    # Foreign keys of client-owned rows are indexed client first (design.md, Scale path).
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="batches", db_index=False
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        db_index=False,
    )
    planned_start = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    actual_end = models.DateField(
        null=True, blank=True, help_text="Manufacturing completed (the batch counts from here)"
    )
    material_ready_date = models.DateField(
        null=True, blank=True, help_text="All materials available for the batch"
    )
    planned_release_date = models.DateField(null=True, blank=True)
    actual_release_date = models.DateField(
        null=True, blank=True, help_text="QC disposition date (release or rejection)"
    )
    theoretical_output = models.FloatField(null=True, blank=True)
    actual_output = models.FloatField(null=True, blank=True)
    disposition = models.CharField(
        max_length=10, choices=Disposition.choices, blank=True, default=Disposition.PENDING
    )

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "batches"
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="batch_number_per_client")
        ]
        indexes = [
            models.Index(fields=["client", "actual_end"], name="batch_client_end"),
            models.Index(fields=["client", "product"], name="batch_client_product"),
            models.Index(fields=["client", "site"], name="batch_client_site"),
        ]

    def __str__(self) -> str:
        return self.number


class Severity(models.TextChoices):
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


class Deviation(models.Model):
    """An incident (GMP deviation), usually raised against a batch."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="deviations")
    number = models.CharField(max_length=100, help_text="The deviation (incident) number")
    batch = models.ForeignKey(
        Batch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deviations",
        db_index=False,
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deviations",
        db_index=False,
    )
    opened_date = models.DateField()
    closed_date = models.DateField(null=True, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    category = models.CharField(max_length=100, blank=True)
    area = models.ForeignKey(
        FunctionalArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deviations",
        help_text="Functional area of the root cause",
        db_index=False,
    )
    title = models.CharField(max_length=300, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="deviation_number_per_client")
        ]
        indexes = [
            models.Index(fields=["client", "opened_date"], name="deviation_client_opened"),
            models.Index(fields=["client", "batch"], name="deviation_client_batch"),
            models.Index(fields=["client", "site"], name="deviation_client_site"),
            models.Index(fields=["client", "area"], name="deviation_client_area"),
        ]

    def __str__(self) -> str:
        return self.number


class Capa(models.Model):
    """A corrective or preventive action, usually linked to a deviation."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="capas")
    number = models.CharField(max_length=100)
    deviation = models.ForeignKey(
        Deviation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="capas",
        db_index=False,
    )
    title = models.CharField(max_length=300, blank=True)
    due_date = models.DateField()
    closed_date = models.DateField(null=True, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "CAPA"
        verbose_name_plural = "CAPAs"
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="capa_number_per_client")
        ]
        indexes = [
            models.Index(fields=["client", "due_date"], name="capa_client_due"),
            models.Index(fields=["client", "deviation"], name="capa_client_deviation"),
        ]

    def __str__(self) -> str:
        return self.number


class PlanWeek(models.Model):
    """Planned and actually released quantity of a product at a site in one week (kpis.md 4)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plan_weeks")
    # The unique key (client, product, site, week) indexes product; site gets (client, site).
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="plan_weeks", db_index=False
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="plan_weeks", db_index=False
    )
    week = models.DateField(help_text="The Monday the week starts on")
    planned_qty = models.FloatField()
    released_qty = models.FloatField(default=0)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "product", "site", "week"], name="plan_week_per_product_site"
            )
        ]
        indexes = [models.Index(fields=["client", "site"], name="plan_week_client_site")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.site_id} {self.week}"
