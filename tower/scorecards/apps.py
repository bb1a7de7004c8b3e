from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "tower.scorecards"
    verbose_name = "Scorecards"

    def ready(self) -> None:
        from tower.performance.signals import outcomes_changed
        from tower.scorecards.attribution import on_outcomes_changed

        outcomes_changed.connect(on_outcomes_changed, dispatch_uid="scorecards.attribution")
