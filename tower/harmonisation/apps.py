from django.apps import AppConfig


class HarmonisationConfig(AppConfig):
    name = "tower.harmonisation"
    verbose_name = "Harmonisation (customer-lens FMEA)"
