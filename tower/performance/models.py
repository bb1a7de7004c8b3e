"""OTIF definitions per client, root causes, and the materialised outcomes and monthly figures."""

from django.db import models

from tower.masterdata.models import Product, Site
from tower.orders.models import OrderLine
from tower.tenancy.models import Client


class OtifDefinitionVersion(models.Model):
    """One version of a client's OTIF definition; the highest version is in force.

    A client without any version is measured with the default definition (version 0).
    `parameters` holds exactly the keys of tower.engine.OtifDefinition.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="otif_definitions")
    version = models.PositiveIntegerField()
    parameters = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["client", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "version"], name="definition_version_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} v{self.version}"


class FunctionalArea(models.Model):
    """A function of the CMO (or the client, or outside) a failure can be traced to (kpis.md 2)."""

    code = models.CharField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100)
    cmo_attributable = models.BooleanField(
        help_text="Failures here count against the CMO in net OTIF"
    )

    def __str__(self) -> str:
        return self.name


class RootCauseCode(models.Model):
    code = models.CharField(max_length=40, primary_key=True)
    area = models.ForeignKey(FunctionalArea, on_delete=models.PROTECT, related_name="codes")
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["area", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RootCauseStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed by the CMO"
    APPROVED = "approved", "Approved by the client"
    DISPUTED = "disputed", "Disputed by the client"


class RootCause(models.Model):
    """The root cause of a failed line: proposed by the CMO, approved or disputed by the client.

    Only an approved cause moves net OTIF (kpis.md 2).
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="root_causes")
    line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="root_cause")
    code = models.ForeignKey(RootCauseCode, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=RootCauseStatus.choices, default=RootCauseStatus.PROPOSED
    )
    comment = models.TextField(blank=True)
    proposed_by = models.CharField(max_length=150)
    proposed_at = models.DateTimeField()
    reviewed_by = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "status"], name="root_cause_client_status")]


class LineOutcome(models.Model):
    """A line's evaluated outcome (the engine's output row), stored when its data changes."""

    line = models.OneToOneField(
        OrderLine, on_delete=models.CASCADE, primary_key=True, related_name="outcome"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    definition_version = models.PositiveIntegerField()
    state = models.CharField(max_length=10)
    exclusion = models.CharField(max_length=20, null=True)
    due_date = models.DateField(null=True)
    due_basis = models.CharField(max_length=20, null=True)
    due_fallback = models.BooleanField()
    period = models.DateField(null=True)
    delivered_qty = models.FloatField()
    delivery_count = models.PositiveIntegerField()
    completion_date = models.DateField(null=True)
    decisive_date = models.DateField(null=True)
    days_late = models.IntegerField(null=True)
    on_time = models.BooleanField(null=True)
    in_full = models.BooleanField(null=True)
    otif = models.BooleanField(null=True)
    delay_class = models.CharField(max_length=5, null=True)
    failure_kind = models.CharField(max_length=20, null=True)

    class Meta:
        indexes = [models.Index(fields=["client", "period"], name="outcome_client_period")]


class MonthlyOtif(models.Model):
    """Monthly figures per client x site x product, kept current after every import or change.

    Counts are of lines (line grain); qty_* and value_* are the quantity and value grains' sums.
    net_* count failures with an approved non-CMO root cause as met.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    period = models.DateField(help_text="First day of the month of the due date")
    definition_version = models.PositiveIntegerField()
    lines = models.PositiveIntegerField(help_text="Measured lines")
    on_time = models.PositiveIntegerField()
    in_full = models.PositiveIntegerField()
    otif = models.PositiveIntegerField()
    net_on_time = models.PositiveIntegerField()
    net_in_full = models.PositiveIntegerField()
    net_otif = models.PositiveIntegerField()
    pending = models.PositiveIntegerField()
    excluded = models.PositiveIntegerField()
    due_fallback = models.PositiveIntegerField()
    qty = models.FloatField()
    qty_on_time = models.FloatField()
    qty_in_full = models.FloatField()
    qty_otif = models.FloatField()
    qty_delivered_capped = models.FloatField(
        help_text="Sum of min(delivered, ordered): volume fill rate"
    )
    value = models.FloatField()
    value_on_time = models.FloatField()
    value_in_full = models.FloatField()
    value_otif = models.FloatField()
    late_1_2 = models.PositiveIntegerField()
    late_3_7 = models.PositiveIntegerField()
    late_8_14 = models.PositiveIntegerField()
    late_over_14 = models.PositiveIntegerField()
    failed_not_delivered = models.PositiveIntegerField()
    failed_late_and_short = models.PositiveIntegerField()
    failed_late = models.PositiveIntegerField()
    failed_short = models.PositiveIntegerField()
    failed_over = models.PositiveIntegerField()
    failed_early = models.PositiveIntegerField()

    class Meta:
        # Rows are rewritten per client on every recompute, so no upsert key is needed.
        indexes = [models.Index(fields=["client", "period"], name="monthly_otif_client_period")]


class OutcomeRefresh(models.Model):
    """One evaluation of a client's lines: the as-of date and definition its outcomes are for.

    The latest refresh of a client says how current its stored outcomes are; `tower recompute`
    (run daily) moves the as-of date on so that open lines become overdue when they should.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="outcome_refreshes")
    as_of = models.DateField()
    definition_version = models.PositiveIntegerField()
    refreshed_at = models.DateTimeField(auto_now_add=True)
    trigger = models.CharField(max_length=20, help_text="import, definition, recompute or demo")
    lines = models.PositiveIntegerField()
    outcomes_written = models.PositiveIntegerField()

    class Meta:
        get_latest_by = "refreshed_at"
        indexes = [models.Index(fields=["client", "-refreshed_at"], name="refresh_client_latest")]
