from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.readonly_admin import ViewOnly
from tower.webhooks.models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(ViewOnly, SimpleHistoryAdmin):
    """Configured on the agreement page (the CMO's people); the secret is never shown here."""

    list_display = ["client", "name", "format", "active", "created_at"]
    list_filter = ["client", "format", "active"]
    exclude = ["secret", "url"]


@admin.register(Delivery)
class DeliveryAdmin(ViewOnly, admin.ModelAdmin):
    """Made by tower.webhooks.services.notify; attempts on the deliveries page."""

    list_display = ["created_at", "client", "endpoint", "event", "status", "attempts"]
    list_filter = ["client", "status"]
