from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.readonly_admin import ViewOnly
from tower.stock.models import ClientStock


@admin.register(ClientStock)
class ClientStockAdmin(ViewOnly, SimpleHistoryAdmin):
    """The client's stock: imported (`tower import stock`) or updated on the stock page, which
    check the role, keep the history and refresh the projections."""

    list_display = ["client", "product", "location", "date", "on_hand", "daily_demand"]
    list_filter = ["client"]
