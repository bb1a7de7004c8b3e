from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "tower.jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every process that may run a job (the worker, and the web app when Huey runs jobs
        # immediately in tests) knows every kind: the apps register theirs in tasks.py.
        autodiscover_modules("tasks")
