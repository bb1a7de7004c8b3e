"""Customer stock-outs: the client ran out of a product in a market (kpis.md 5), a record of the
client's stock like the order lines and batches (design.md, Layout: records), reported on the
stock-out pages or imported (`tower import stockouts`).
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tower.masterdata.models import Product
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


class StockOutEvent(models.Model):
    """The client ran out of a product in a market or warehouse (kpis.md 5).

    `attribution` (and `cmo_caused`, true exactly when it is "caused", kept for the filters and
    sums) and the links to the lines behind it are computed from outcomes and root causes by
    tower.performance.attribution, called after every change of events, outcomes, root causes
    or the look-back.
    """

    class Source(models.TextChoices):
        REPORTED = "reported", "Reported by the client"
        IMPORTED = "imported", "Imported"

    class Attribution(models.TextChoices):
        """Whether the CMO caused a stock-out (tower.performance.attribution)."""

        CAUSED = "caused", "Caused by the CMO"
        NOT_CAUSED = "not_caused", "Not caused by the CMO"
        # A failed line in the look-back has no approved root cause yet: once the client decides,
        # the stock-out becomes caused or not. Counted as not caused in the KPIs, and shown.
        UNDETERMINED = "undetermined", "Undetermined"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="stock_outs")
    # The unique key (client, product, location, start_date) indexes it (design.md, Scale path).
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="stock_outs", db_index=False
    )
    location = models.CharField(max_length=200, help_text="Market, country or warehouse")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty while the stock-out lasts")
    source = models.CharField(max_length=10, choices=Source.choices)
    note = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cmo_caused = models.BooleanField(default=False)
    attribution = models.CharField(
        max_length=12,
        choices=Attribution.choices,
        default=Attribution.NOT_CAUSED,
        db_default=Attribution.NOT_CAUSED,
    )
    lines = models.ManyToManyField(
        "orders.OrderLine", through="StockOutLink", related_name="stock_outs"
    )

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["cmo_caused", "attribution"])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "product", "location", "start_date"],
                name="stock_out_per_product_location_start",
            )
        ]
        indexes = [models.Index(fields=["client", "start_date"], name="stock_out_client_start")]

    def __str__(self) -> str:
        return f"{self.product} {self.location} {self.start_date}"


class StockOutLink(models.Model):
    """A failed, CMO-attributable line due within the look-back before a stock-out."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    # Indexed client first: the unique key (client, event, line) and (client, line) below.
    event = models.ForeignKey(
        StockOutEvent, on_delete=models.CASCADE, related_name="links", db_index=False
    )
    line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "event", "line"], name="one_link_per_event_line"
            )
        ]
        indexes = [models.Index(fields=["client", "line"], name="stock_out_link_client_line")]
