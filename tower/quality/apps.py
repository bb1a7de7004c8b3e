from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "tower.quality"
    verbose_name = "Production and quality"
