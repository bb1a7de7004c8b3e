from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "tower.scorecards"
    verbose_name = "Scorecards"
