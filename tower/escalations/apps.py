from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    """Escalations (kpis.md 9): opened by the agreement's triggers or by hand, moved level by
    level on a business-hours clock, acknowledged, commented and resolved by either side."""

    name = "tower.escalations"
    verbose_name = "Escalations"
