from django.apps import AppConfig


class StockConfig(AppConfig):
    """Client stock shared by the client: on hand and daily demand per product and location."""

    name = "tower.stock"
    verbose_name = "Client stock"
