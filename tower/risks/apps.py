from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "tower.risks"
    verbose_name = "Project risks"
