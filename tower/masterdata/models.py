"""Master data: the CMO's manufacturing sites and each client's products."""

from django.db import models

from tower.tenancy.models import Client


class Site(models.Model):
    """A CMO manufacturing site (shared by all clients)."""

    code = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Product(models.Model):
    """A product the CMO makes for one client (product codes are the client's own)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="products")
    code = models.CharField(max_length=200)
    name = models.CharField(max_length=300)
    product_group = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["client", "code"]
        constraints = [
            models.UniqueConstraint(fields=["client", "code"], name="product_code_per_client")
        ]

    def __str__(self) -> str:
        return self.code
