"""OTIF definitions per client, root causes, and the materialised outcomes and monthly figures."""

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from tower.masterdata.models import FunctionalArea, Product, RootCauseCode, Site
from tower.orders.models import OrderLine
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


class RootCauseStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed by the CMO"
    APPROVED = "approved", "Approved by the client"
    DISPUTED = "disputed", "Disputed by the client"


class RootCause(models.Model):
    """The root cause of a failed line: proposed by the CMO, approved or disputed by the client.

    Only an approved cause moves net OTIF (kpis.md 2). An approved cause is corrected only by
    reopening it with a reason, which puts it back to proposed.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="root_causes")
    # One cause per line, unique on (client, line) below: the key leads with the client (the
    # distribution path of design.md). `line.root_cause` reads it (OrderLine.root_cause);
    # queries still say `line__root_cause__status`.
    line = models.ForeignKey(
        OrderLine,
        on_delete=models.CASCADE,
        related_name="root_causes",
        related_query_name="root_cause",
        db_index=False,
    )
    # Indexed by (client, code) below: the distribution path (design.md, Scale path).
    code = models.ForeignKey(
        RootCauseCode, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(
        max_length=10, choices=RootCauseStatus.choices, default=RootCauseStatus.PROPOSED
    )
    comment = models.TextField(blank=True, help_text="Shared with the client")
    internal_note = models.TextField(
        blank=True, help_text="CMO-internal: never shown to the client"
    )
    proposed_by = models.CharField(max_length=150)
    proposed_at = models.DateTimeField()
    reviewed_by = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    # The last correction of an approved cause (services.reopen_root_cause); earlier ones are in
    # the history, each with its reason.
    # db_default: set-based inserts (the demo's) leave them out.
    reopened_by = models.CharField(max_length=150, blank=True, db_default="")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True, db_default="")

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "line"], name="root_cause_client_line")
        ]
        indexes = [
            models.Index(fields=["client", "status"], name="root_cause_client_status"),
            models.Index(fields=["client", "code"], name="root_cause_client_code"),
        ]


class LineOutcome(models.Model):
    """A line's evaluated outcome (the engine's output row), stored when its data changes."""

    line = models.OneToOneField(
        OrderLine, on_delete=models.CASCADE, primary_key=True, related_name="outcome"
    )
    # Indexed by (client, line) below, not on its own: with a lone client index SQLite picked
    # it for "this page's lines of this client" and read every outcome of the client (112 ms
    # instead of 1 ms at 1M lines).
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
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

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        # Covers the drill-down's usual filters and sorts, so counting and paging a month's
        # lines reads the index alone ("line" is needed: a bigint primary key is no rowid).
        indexes = [
            models.Index(
                fields=["client", "period", "state", "otif", "days_late", "due_date", "line"],
                name="outcome_client_period",
            ),
            # A page of lines found by id is read through the scoped query (visible_to).
            models.Index(fields=["client", "line"], name="outcome_client_line"),
        ]


def natural_key(name: str, *fields: str) -> models.UniqueConstraint:
    """A unique key over `fields`, client first, in which a missing site or root-cause code
    (NULL) counts as one value: SQL treats NULLs as distinct, so a plain key would let two rows
    of "no site" through. Refreshes replace a client's rows under its lock (tower.tenancy.locks);
    this key makes a doubled row an error instead of a silently doubled figure."""
    missing = {"site": Value(0), "code": Value("")}  # site ids are numbers, codes text
    return models.UniqueConstraint(
        *(Coalesce(f, missing[f]) if f in missing else F(f) for f in fields), name=name
    )


# MonthlyFigures' columns for the late lines of each delay class, in DELAY_CLASSES order.
DELAY_COLUMNS = ("late_1_2", "late_3_7", "late_8_14", "late_over_14")


class MonthlyFigures(models.Model):
    """Monthly figures per client x site x product (the columns shared by live and closed rows).

    Counts are of lines (line grain); qty_* and value_* are the quantity and value grains' sums.
    net_* count failures with an approved non-CMO root cause as met.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    # No single-column index: the (client, site) and (client, product) indexes of each table
    # serve lookups and cascades by client (the distribution path of design.md, Scale path).
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
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

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class MonthlyOtif(MonthlyFigures):
    """The live monthly figures, kept current after every import or root-cause change."""

    class Meta:
        indexes = [
            models.Index(fields=["client", "period"], name="monthly_otif_client_period"),
            models.Index(fields=["client", "site"], name="monthly_otif_client_site"),
            models.Index(fields=["client", "product"], name="monthly_otif_client_product"),
        ]
        constraints = [natural_key("monthly_otif_key", "client", "period", "site", "product")]


class FailureFigures(models.Model):
    """Failed lines per client x site x product x month x root cause (the cascade's level 3).

    `area` is the root cause's functional area, "unclassified" when the line has none; `status`
    is the root cause's status or "unclassified". `excused` counts the failures that net OTIF
    treats as met (approved and not CMO-attributable).
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    # No single-column index: the (client, site) and (client, product) indexes of each table
    # serve lookups and cascades by client (the distribution path of design.md, Scale path).
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.DateField()
    area = models.ForeignKey(
        FunctionalArea, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    code = models.ForeignKey(
        RootCauseCode, on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    status = models.CharField(max_length=12)
    lines = models.PositiveIntegerField()
    excused = models.PositiveIntegerField()

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class MonthlyFailure(FailureFigures):
    """The live failure breakdown, rebuilt with MonthlyOtif."""

    class Meta:
        indexes = [
            models.Index(fields=["client", "period"], name="monthly_failure_client_period"),
            models.Index(fields=["client", "site"], name="monthly_failure_client_site"),
            models.Index(fields=["client", "product"], name="monthly_failure_client_product"),
            models.Index(fields=["client", "area"], name="monthly_failure_client_area"),
            models.Index(fields=["client", "code"], name="monthly_failure_client_code"),
        ]
        constraints = [
            natural_key(
                "monthly_failure_key",
                *("client", "period", "site", "product", "area", "code", "status"),
            )
        ]


class MonthlyShipping(models.Model):
    """Deliveries shipped per client x site x product and month of shipping, and how many left
    on or before the line's planned ship date (the shipping area's KPI, kpis.md 4).

    Rebuilt with the client's outcomes (services.refresh_shipping) so that the dashboard and
    the scorecard never read deliveries one by one.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    # No single-column index: the (client, site) and (client, product) indexes of each table
    # serve lookups and cascades by client (the distribution path of design.md, Scale path).
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.DateField(help_text="First day of the month the deliveries shipped in")
    shipped = models.PositiveIntegerField()
    on_plan = models.PositiveIntegerField(help_text="Shipped on or before the planned ship date")
    unplanned = models.PositiveIntegerField(help_text="Lines without a planned ship date")

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["client", "period"], name="monthly_shipping_period"),
            models.Index(fields=["client", "site"], name="shipping_client_site"),
            models.Index(fields=["client", "product"], name="shipping_client_product"),
        ]
        constraints = [natural_key("monthly_shipping_key", "client", "period", "site", "product")]


class MonthClose(models.Model):
    """A client's month closed by a CMO admin: its figures are frozen in a snapshot.

    The snapshot (ClosedMonthlyOtif, ClosedMonthlyFailure rows) names the definition version
    and the as-of date it was taken with. Later data for the month is stored and shown live
    elsewhere, but the closed figures stay; reopening is explicit and audited. A month closed
    again after a reopen gets a new MonthClose with a new snapshot.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="month_closes")
    period = models.DateField(help_text="First day of the closed month")
    definition_version = models.PositiveIntegerField()
    as_of = models.DateField(help_text="Outcomes were evaluated as of this date")
    closed_at = models.DateTimeField()
    closed_by = models.CharField(max_length=150)
    note = models.TextField(blank=True, help_text="Required when failures are unresolved")
    # What was not settled when it closed (services.close_check): failed lines per root-cause
    # state, and the earlier months left open when it was closed out of order ("2026-02").
    unresolved = models.JSONField(default=dict, blank=True)
    open_before = models.JSONField(default=list, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.CharField(max_length=150, blank=True)
    reopen_reason = models.TextField(blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["client", "-period", "-closed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "period"],
                condition=models.Q(reopened_at__isnull=True),
                name="one_open_close_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.period:%Y-%m}"

    @property
    def is_closed(self) -> bool:
        return self.reopened_at is None


class ClosedMonthlyOtif(MonthlyFigures):
    """MonthlyOtif rows frozen when the month was closed."""

    # The natural key (client, close, ...) indexes it.
    close = models.ForeignKey(
        MonthClose, on_delete=models.CASCADE, related_name="otif_rows", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["client", "period"], name="closed_otif_client_period"),
            models.Index(fields=["client", "site"], name="closed_otif_client_site"),
            models.Index(fields=["client", "product"], name="closed_otif_client_product"),
        ]
        constraints = [
            natural_key("closed_otif_key", "client", "close", "period", "site", "product")
        ]


class ClosedMonthlyFailure(FailureFigures):
    """MonthlyFailure rows frozen when the month was closed."""

    # The natural key (client, close, ...) indexes it.
    close = models.ForeignKey(
        MonthClose, on_delete=models.CASCADE, related_name="failure_rows", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["client", "period"], name="closed_failure_client_period"),
            models.Index(fields=["client", "site"], name="closed_failure_client_site"),
            models.Index(fields=["client", "product"], name="closed_failure_client_product"),
            models.Index(fields=["client", "area"], name="closed_failure_client_area"),
            models.Index(fields=["client", "code"], name="closed_failure_client_code"),
        ]
        constraints = [
            natural_key(
                "closed_failure_key",
                *("client", "close", "period", "site", "product", "area", "code", "status"),
            )
        ]


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

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        get_latest_by = "refreshed_at"
        indexes = [models.Index(fields=["client", "-refreshed_at"], name="refresh_client_latest")]


class ClosedRecords(models.Model):
    """The records a closed month's KPIs read, frozen with the close (tower.performance.frozen).

    One row per close and kind of record (batches, deviations, CAPAs, plan weeks, monthly
    shipping counts, stock-outs): the frame the scorecard and the dashboard's function KPIs
    read for that month when it was closed, as Parquet. While the close stands, those KPIs read
    the month from here, not from the live records, so late data does not move them.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    # The natural key (client, close, kind) indexes it.
    close = models.ForeignKey(
        MonthClose, on_delete=models.CASCADE, related_name="record_rows", db_index=False
    )
    kind = models.CharField(max_length=20)
    rows = models.PositiveIntegerField()
    data = models.BinaryField(help_text="The frame as Parquet")

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "close", "kind"], name="closed_records_key")
        ]
