from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """The one import pipeline for every record kind, and the `tower import ...` commands."""

    name = "tower.imports"
