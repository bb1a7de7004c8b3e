from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "tower.improvement"
    verbose_name = "Continuous improvement"
