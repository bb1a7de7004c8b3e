"""The log of every import: who imported which file when, and what it did."""

from django.conf import settings
from django.db import models

from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


class ImportLog(models.Model):
    """Who imported which file when, and what it did: one row per import attempt."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected (errors, nothing written)"
        DRY_RUN = "dry_run", "Dry run (nothing written)"

    kind = models.CharField(max_length=40, help_text="What was imported, e.g. lines")
    # The client whose data the file holds; empty when it named several (see client_codes) or
    # none that exists (a rejected file).
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.CASCADE, related_name="import_logs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.CharField(
        max_length=150, help_text="User name, or the operating-system user of the CLI"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    file_name = models.CharField(max_length=500)
    file_sha256 = models.CharField(max_length=64)
    mapping = models.CharField(max_length=200, blank=True)
    client_codes = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    rows = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    # Records of the import's kind: order lines, batches, deviations, ...
    records_created = models.PositiveIntegerField(default=0)
    records_updated = models.PositiveIntegerField(default=0)
    records_unchanged = models.PositiveIntegerField(default=0)
    deliveries_written = models.PositiveIntegerField(default=0, help_text="Order lines only")
    created_masterdata = models.JSONField(default=dict, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["client", "-started_at"], name="import_log_client_latest")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
