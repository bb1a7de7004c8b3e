"""Read-mostly admin pages: order data changes through imports, never by hand here."""

from django.contrib import admin

from tower.orders.models import Delivery, OrderLine
from tower.readonly_admin import ReadOnlyAdmin, ReadOnlyInline


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = ["delivery_id", "shipped_date", "delivered_date", "quantity", "batch"]


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyAdmin):
    """Lines change through imports (which refresh the outcomes) and the exclusion page."""

    list_display = [
        "order",
        "line_number",
        "client",
        "product",
        "site",
        "ordered_qty",
        "committed_date",
        "status",
    ]
    list_filter = ["client", "status", "site"]
    list_select_related = ["order", "client", "product", "site"]
    search_fields = ["order__number", "product__code"]
    raw_id_fields = ["order", "product", "site", "client"]
    date_hierarchy = "committed_date"
    inlines = [DeliveryInline]
    show_full_result_count = False
