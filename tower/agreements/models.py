"""What a client and the CMO agreed (design.md, Layout: agreements).

The client's OTIF definition (versioned: the highest version is in force), the target of every
scorecard KPI, the agreement's terms (stock-out look-back, currency), its penalty clauses and the
early-warning settings of the projection (kpis.md 8).
Everything here is audited (django-simple-history). What is computed from these (outcomes,
statuses, stock-out attribution) lives in the apps above, which refresh it when they change.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
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
    """Terms of a client's service agreement besides the KPI targets: the scorecard's look-back
    and currency, and the reference of the quality agreement in force."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="agreement")
    oos_lookback_days = models.PositiveIntegerField(
        default=DEFAULT_OOS_LOOKBACK_DAYS,
        help_text="A failed line due this many days before a stock-out can have caused it",
    )
    currency = models.CharField(max_length=3, default="EUR", help_text="Currency of penalties")
    # The quality agreement the service agreement refers to (issue 11); all three or none.
    quality_agreement_number = models.CharField(
        max_length=60, blank=True, help_text="The quality agreement's document number"
    )
    quality_agreement_version = models.CharField(
        max_length=20, blank=True, help_text="Its version, as written on the document"
    )
    quality_agreement_effective = models.DateField(
        null=True, blank=True, help_text="The date the version took effect"
    )

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Agreement {self.client}"

    @property
    def has_quality_agreement(self) -> bool:
        return bool(self.quality_agreement_number)


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


# The early-warning settings of kpis.md 8, in days, with their defaults. The names are those of
# the projection engine's settings (tower.engine.projection.ProjectionSettings), so the stored
# row feeds it field for field (tower.agreements.queries.early_warning_values).
EARLY_WARNING_DEFAULTS = {
    "production_days": 5,
    "release_days": 7,
    "ship_days": 2,
    "transit_days": 5,
    "tight_days": 2,
    "horizon_days": 14,
}
MAX_EARLY_WARNING_DAYS = 365


def _days_field(name: str, help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        default=EARLY_WARNING_DEFAULTS[name],
        validators=[MaxValueValidator(MAX_EARLY_WARNING_DAYS)],
        help_text=help_text,
    )


class EarlyWarningSettings(models.Model):
    """How a client's open lines are projected (kpis.md 8), agreed with the client, audited.

    A client without a row is projected with EARLY_WARNING_DEFAULTS. Every value is a whole
    number of days from 0 to 365 (the database checks it too); changed only through
    tower.agreements.services.set_early_warning (CMO admins), which keeps the history.
    """

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="early_warning")
    production_days = _days_field(
        "production_days", "Production end after production start, when the batch has no plan"
    )
    release_days = _days_field(
        "release_days", "QC release after production end, when the batch has no planned release"
    )
    ship_days = _days_field("ship_days", "Shipping after QC release, when the line has no plan")
    transit_days = _days_field(
        "transit_days", "Transit when the lane has fewer than 5 deliveries in the last 365 days"
    )
    tight_days = _days_field(
        "tight_days", "A line projected within this many days of its window's end is tight"
    )
    horizon_days = _days_field(
        "horizon_days", "A line without any plan is flagged once it is due within this many days"
    )

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "early-warning settings"
        verbose_name_plural = "early-warning settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{name}__lte": MAX_EARLY_WARNING_DAYS}),
                name=f"early_warning_{name}_at_most_365",
            )
            for name in EARLY_WARNING_DEFAULTS
        ]

    def __str__(self) -> str:
        return f"Early warning {self.client}"

    def values(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in EARLY_WARNING_DEFAULTS}


# ---------------------------------------------------------------------------------------------
# The service agreement's team: who works for the client on each side, function by function.


class TeamSide(models.TextChoices):
    CMO = "cmo", "CMO"
    CLIENT = "client", "Client"


class TeamFunction(models.TextChoices):
    """The functions of the dedicated cross-functional team; each side names its people for
    the same functions, which makes the counterpart matrix (function -> CMO <-> client)."""

    EXECUTIVE = "executive", "Executive sponsor"
    ACCOUNT = "account", "Account management"
    PROJECT = "project", "Project management"
    SUPPLY_CHAIN = "supply_chain", "Supply chain"
    MANUFACTURING = "manufacturing", "Manufacturing"
    QUALITY = "quality", "Quality"
    TECHNICAL = "technical", "Technical services"
    REGULATORY = "regulatory", "Regulatory affairs"
    FINANCE = "finance", "Finance"


MAX_NAME = 120
MAX_TITLE = 100
MAX_PHONE = 32


class TeamMember(models.Model):
    """One person of the service agreement's team for a client, on the CMO's or the client's
    side, for one function (tower.agreements.team for the rules; audited).

    A function can have several people on a side: the lead comes first in the counterpart
    matrix, the others are deputies. `user` optionally links the person to a sign-in of the
    tower (a CMO user for the CMO side, a member of the client for the client side), so
    pages can say "you" and escalations can reach them.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="team_members")
    side = models.CharField(max_length=6, choices=TeamSide.choices)
    function = models.CharField(max_length=20, choices=TeamFunction.choices)
    name = models.CharField(max_length=MAX_NAME)
    title = models.CharField(
        max_length=MAX_TITLE, blank=True, help_text="Job title, e.g. “Key account manager”"
    )
    email = models.EmailField()
    phone = models.CharField(
        max_length=MAX_PHONE, blank=True, help_text="International format, e.g. +49 30 1234 5678"
    )
    deputy = models.BooleanField(
        default=False, help_text="Stands in for the function's lead on this side"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Optional: the person's sign-in to the tower",
    )

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["client", "function", "side", "deputy", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "side", "function", "email"],
                name="team_member_once_per_function",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_side_display()} {self.get_function_display()})"


# --- escalation matrix and triggers (kpis.md 9) -------------------------------------------------

MAX_ESCALATION_LEVELS = 6
MAX_RESPONSE_HOURS = 10_000


def _level_member() -> models.ForeignKey:
    """A level's person of the team on one side (each side declares the same link)."""
    return models.ForeignKey(
        TeamMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )


class EscalationLevel(models.Model):
    """One level of a client's escalation matrix (1 first): who is called on each side and the
    response time in business hours of the named site's calendar (the default calendar when
    none). Each side is a person of the team (TeamMember) and/or a name, role and e-mail. Changed only through tower.agreements.services.set_escalation_levels; a running
    escalation keeps the matrix it started with (tower.escalations)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="escalation_levels")
    number = models.PositiveSmallIntegerField()
    # The people of the service agreement's team the level calls; the text fields below are
    # the fallback (a role, a shared mailbox) and keep the level readable if a person leaves.
    # No index of their own (every index of a client's table leads with client_id): a level
    # table holds a handful of rows per client.
    cmo_member = _level_member()
    client_member = _level_member()
    cmo_person = models.CharField(max_length=150, blank=True, help_text="Name at the CMO")
    cmo_role = models.CharField(max_length=150, blank=True, help_text="Role at the CMO")
    cmo_email = models.EmailField(blank=True)
    client_person = models.CharField(max_length=150, blank=True, help_text="Name at the client")
    client_role = models.CharField(max_length=150, blank=True, help_text="Role at the client")
    client_email = models.EmailField(blank=True)
    response_hours = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        validators=[MaxValueValidator(MAX_RESPONSE_HOURS)],
        help_text="Business hours to acknowledge before the next level is called",
    )
    site = models.ForeignKey(
        "masterdata.Site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text="Whose calendar counts the hours (none: the default calendar)",
    )

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["client", "number"]
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="escalation_level_once"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=MAX_ESCALATION_LEVELS),
                name="escalation_level_number_range",
            ),
            models.CheckConstraint(
                condition=models.Q(response_hours__gte=0, response_hours__lte=MAX_RESPONSE_HOURS),
                name="escalation_level_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} level {self.number}"


class EscalationTrigger(models.Model):
    """What opens an escalation for a client, and its threshold (kpis.md 9)."""

    class Kind(models.TextChoices):
        LINE_LATE = "line_late", "Line projected late"
        STOCK_OUT_PROJECTED = "stock_out_projected", "Projected client stock-out"
        NOTICE_UNACKNOWLEDGED = "notice_unacknowledged", "Delay notice not acknowledged"
        DEVIATION = "deviation", "Major or critical deviation on a batch"
        STOCK_OUT_REPORTED = "stock_out_reported", "Stock-out reported by the client"
        CAUSE_DISPUTED = "cause_disputed", "Root cause disputed repeatedly"

    # The threshold's meaning and default per kind (None: the trigger takes no threshold).
    THRESHOLDS = {
        Kind.LINE_LATE: ("days late at least", 3),
        Kind.STOCK_OUT_PROJECTED: ("stock-out starting within days", 14),
        Kind.NOTICE_UNACKNOWLEDGED: ("business hours without acknowledgement", 8),
        Kind.DEVIATION: (None, 0),
        Kind.STOCK_OUT_REPORTED: (None, 0),
        Kind.CAUSE_DISPUTED: ("disputes of the same line's cause", 2),
    }

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="escalation_triggers")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    threshold = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(10_000)])

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["client", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["client", "kind"], name="escalation_trigger_once"),
            models.CheckConstraint(
                condition=models.Q(threshold__lte=10_000), name="escalation_trigger_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.kind} {self.threshold}"
