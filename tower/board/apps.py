from django.apps import AppConfig


class BoardConfig(AppConfig):
    """The daily accountability board (/board/) and the dashboard's worklists: read-only views
    over every feature app, so it sits above them all (pyproject.toml, layers)."""

    name = "tower.board"
    verbose_name = "Daily board"
