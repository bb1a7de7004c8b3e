"""Read-mostly admin pages: order data changes through imports, never by hand here."""

from django.contrib import admin

from tower.orders.models import Delivery, OrderLine


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["delivery_id", "shipped_date", "delivered_date", "quantity", "batch"]
    readonly_fields = fields
    can_delete = False


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
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
