"""Client stock shared by the client (kpis.md 8, projected client stock-out): how much of a
product a location (market, warehouse) had on hand on a date, and how much it uses a day.

Imported (`tower import stock`) or updated one row at a time on the stock page, by the client's
users or CMO staff; audited (django-simple-history). The natural key is client + product +
location + date, so every key and index leads with client_id (design.md, Scale path).
"""

from django.db import models
from simple_history.models import HistoricalRecords

from tower.ingest.limits import MAX_NUMBER
from tower.masterdata.models import Product
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


class ClientStock(models.Model):
    """Stock of one product at one location on one date, with the daily demand it serves."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="stock")
    # The unique key (client, product, location, date) indexes product.
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="stock", db_index=False
    )
    location = models.CharField(
        max_length=200,
        help_text="Market or warehouse; the lines shipping there name it as their ship-to",
    )
    date = models.DateField(help_text="The day the stock was counted")
    on_hand = models.FloatField(help_text="Quantity on hand, in the product's order unit")
    daily_demand = models.FloatField(help_text="Quantity used or sold per day (more than 0)")
    # Who changed a row and when is in its history (simple_history), not in columns here.
    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "client stock"
        verbose_name_plural = "client stock"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "product", "location", "date"],
                name="stock_per_product_location_date",
            ),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=0) & models.Q(on_hand__lte=MAX_NUMBER),
                name="stock_on_hand_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(daily_demand__gt=0) & models.Q(daily_demand__lte=MAX_NUMBER),
                name="stock_daily_demand_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.location} {self.date}"

    @property
    def cover_days(self) -> float:
        """Days the stock lasts at the daily demand (kpis.md 8: on hand / daily demand)."""
        return self.on_hand / self.daily_demand
