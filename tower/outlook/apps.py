from django.apps import AppConfig


class OutlookConfig(AppConfig):
    """Early warning (kpis.md 8): every open line's projected dates, risk and cause."""

    name = "tower.outlook"
    verbose_name = "Outlook"
