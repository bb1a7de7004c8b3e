"""Master data: the CMO's manufacturing sites, each client's products, and the functional areas
and root-cause codes a failure is traced to (kpis.md 2)."""

from django.db import models

from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


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

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["client", "code"]
        constraints = [
            models.UniqueConstraint(fields=["client", "code"], name="product_code_per_client")
        ]

    def __str__(self) -> str:
        return self.code


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
