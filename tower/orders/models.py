"""Order lines and their deliveries (kpis.md 1).

Natural keys come from the source: client + order number + line number (or + product code when
the source has no line numbers). Every index leads with client_id so the schema can later be
distributed by client.
"""

from django.db import models
from simple_history import register

from tower.masterdata.models import Product, Site
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


class LineStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Order(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="orders")
    number = models.CharField(max_length=100)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="order_number_per_client")
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    # Indexes are few on purpose: every import writes up to millions of lines. The natural key
    # (client, order, line_number) serves lookups by client and by order.
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="order_lines", db_index=False
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_number = models.CharField(
        max_length=200, help_text="The source's line number, or the product code when it has none"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="order_lines", db_index=False
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
        db_index=False,
    )
    ship_to = models.CharField(max_length=200, blank=True)
    transport_mode = models.CharField(max_length=100, blank=True)
    ordered_qty = models.FloatField()
    unit = models.CharField(max_length=40, blank=True)
    line_value = models.FloatField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    requested_date = models.DateField(null=True, blank=True)
    first_committed_date = models.DateField(null=True, blank=True)
    committed_date = models.DateField(null=True, blank=True)
    planned_ship_date = models.DateField(
        null=True, blank=True, help_text="When the CMO planned to ship (ship-on-planned-date KPI)"
    )
    # The batch planned to fill the line (kpis.md 8: the supplying batch of the early warning),
    # by its number: quality.Batch sits in the same layer, so orders cannot point at it with a
    # foreign key. tower import lines resolves the number against the client's stored batches
    # (an unknown one is a row error) and every read joins on (client, number), which the
    # batch's natural key indexes. Blank: no batch planned; the line's chain starts at ship.
    planned_batch = models.CharField(
        max_length=100,
        blank=True,
        help_text="Number of the client's batch planned to fill this line (CMO internal)",
    )
    status = models.CharField(max_length=10, choices=LineStatus.choices, default=LineStatus.OPEN)
    manual_exclusion = models.TextField(
        null=True, blank=True, help_text="Reason this line is left out of OTIF by hand (audited)"
    )

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "order", "line_number"], name="line_number_per_order"
            )
        ]
        indexes = [
            # The lines a batch fills (a notice about one batch, a batch's page). Partial: most
            # lines have no planned batch, and an import of a million of them then writes no
            # entry for those.
            models.Index(
                fields=["client", "planned_batch"],
                name="line_client_planned_batch",
                condition=~models.Q(planned_batch=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_number}"

    @property
    def root_cause(self):
        """The line's root cause (tower.performance.RootCause), or None: at most one per line,
        unique on (client, line). A list that shows causes loads them with the line
        (tower.performance.queries.with_root_cause); otherwise one query by client and line."""
        if ROOT_CAUSES in getattr(self, "_prefetched_objects_cache", {}):
            return next(iter(getattr(self, ROOT_CAUSES).all()), None)
        return getattr(self, ROOT_CAUSES).filter(client_id=self.client_id).first()


# The reverse accessor of RootCause.line (a higher app's model: named here, not imported).
ROOT_CAUSES = "root_causes"


class Delivery(models.Model):
    """One shipment event of a line: shipped and/or delivered on a date, with a quantity."""

    # Scoped queries always filter by client, so (client, line) is the only index needed.
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    delivery_id = models.CharField(
        max_length=100, blank=True, help_text="Shipment or delivery note number"
    )
    shipped_date = models.DateField(null=True, blank=True)
    delivered_date = models.DateField(null=True, blank=True)
    quantity = models.FloatField()
    batch = models.CharField(max_length=100, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["client", "line"], name="delivery_client_line")]


# Only the hand exclusion of a line is audited here: imports write lines set-based and are
# recorded in ImportLog (who, when, file, hash, counts) instead.
register(
    OrderLine,
    excluded_fields=[
        f.name for f in OrderLine._meta.fields if f.name not in ("id", "client", "manual_exclusion")
    ],
)
