from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "tower.actions"
    verbose_name = "Actions register"
