"""What a client and the CMO agreed (design.md, Layout: agreements).

The client's OTIF definition (versioned: the highest version is in force), the target of every
scorecard KPI, the agreement's terms (stock-out look-back, currency) and its penalty clauses.
Everything here is audited (django-simple-history). What is computed from these (outcomes,
statuses, stock-out attribution) lives in the apps above, which refresh it when they change.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from tower.engine.kpi_catalogue import KPIS
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet

DEFAULT_OOS_LOOKBACK_DAYS = 60


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

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["client", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "version"], name="definition_version_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} v{self.version}"


class KpiDirection(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class KpiTarget(models.Model):
    """An agreement target for one KPI of a client (kpis.md 7), audited.

    Green when the target is met, amber within `tolerance` (in the KPI's unit) of it, red
    otherwise. A KPI without a row uses the catalogue's default target.
    """

    # Every scorecard KPI (tower.engine.kpi_catalogue): OTIF_NET = "otif_net", "Net OTIF", ...
    Kpi = models.TextChoices("Kpi", [(k.code.upper(), (k.code, k.name)) for k in KPIS])

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="kpi_targets")
    kpi = models.CharField(max_length=40, choices=Kpi.choices)
    target = models.FloatField()
    direction = models.CharField(
        max_length=6, choices=KpiDirection.choices, default=KpiDirection.HIGHER
    )
    tolerance = models.FloatField(
        default=5.0, help_text="Amber band, in the KPI's unit (points for a percentage)"
    )

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "kpi"], name="one_target_per_client_kpi")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.kpi} {self.target}"


class Agreement(models.Model):
    """Scorecard terms of a client's supply agreement besides the KPI targets."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="agreement")
    oos_lookback_days = models.PositiveIntegerField(
        default=DEFAULT_OOS_LOOKBACK_DAYS,
        help_text="A failed line due this many days before a stock-out can have caused it",
    )
    currency = models.CharField(max_length=3, default="EUR", help_text="Currency of penalties")

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Agreement {self.client}"


class PenaltyTerm(models.Model):
    """A penalty clause of the agreement (kpis.md 6); the scorecard shows the exposure."""

    class Kind(models.TextChoices):
        LINE_VALUE_PCT = "line_value_pct", "% of the line value per CMO-attributable failed line"
        MONTH_BELOW_TARGET = "month_below_target", "Fixed amount per month below the OTIF target"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="penalty_terms")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    rate = models.FloatField(help_text="Percent of the line value, or the amount per month")
    description = models.CharField(max_length=300, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.client} {self.get_kind_display()} {self.rate}"
