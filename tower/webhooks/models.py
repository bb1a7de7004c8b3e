"""Webhook endpoints of a client and the deliveries the worker makes to them (tower.webhooks).

An Endpoint is configuration the CMO's people change on the agreement page (audited; the
secret is kept out of the history). A Delivery is one event for one endpoint, with the exact
body that is signed and sent; each try is a DeliveryAttempt (status code, duration, error, the
start of the answer), so the deliveries page shows what happened without any log file.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet

MAX_URL = 500
MAX_ENDPOINT_NAME = 100
MAX_EVENT = 60
MAX_ERROR = 500
MAX_EXCERPT = 1000


class Format(models.TextChoices):
    JSON = "json", "Plain JSON"
    TEAMS = "teams", "Microsoft Teams (Adaptive Card)"
    SLACK = "slack", "Slack incoming webhook"


class Endpoint(models.Model):
    """Where a client's events are posted: a receiver of the client or of the CMO (a Teams or
    Slack channel, an integration platform...). Changed only through tower.webhooks.services."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="webhook_endpoints")
    name = models.CharField(max_length=MAX_ENDPOINT_NAME)
    url = models.URLField(max_length=MAX_URL, help_text="http:// or https:// only")
    format = models.CharField(max_length=5, choices=Format.choices, default=Format.JSON)
    # The HMAC key of X-Tower-Signature: made by the tower, shown once, never in history or logs.
    secret = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Archived instead of deleted: its deliveries (the log of what was posted where) keep their
    # endpoint. An archived endpoint is off for good, its secret wiped, its name free again.
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["client", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "name"],
                condition=models.Q(archived_at__isnull=True),
                name="webhook_name_per_client",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.name}"


class Delivery(models.Model):
    """One event posted to one endpoint, tried until it succeeds or the back-off gives up."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        # Stopped before it was delivered (the endpoint was switched off or archived); the
        # reason is kept in `cancel_reason`.
        CANCELLED = "cancelled", "Cancelled"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    event = models.CharField(max_length=MAX_EVENT)
    # Exactly the bytes sent (UTF-8 JSON in the endpoint's format), so each try signs the same.
    body = models.TextField()
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    cancel_reason = models.CharField(max_length=MAX_ERROR, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    is_test = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["client", "-created_at"], name="delivery_client_created"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["client", "endpoint"], name="delivery_client_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery and its answer (or why there was none)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="tries", db_index=False
    )
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField()
    error = models.CharField(max_length=MAX_ERROR, blank=True)
    response_excerpt = models.TextField(blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "delivery", "number"], name="one_attempt_number"
            )
        ]
