from django.apps import AppConfig


class StockoutsConfig(AppConfig):
    """Customer stock-outs and the links to the order lines that caused them."""

    name = "tower.stockouts"
    verbose_name = "Stock-outs"
