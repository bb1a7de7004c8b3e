from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "tower.processes"
    verbose_name = "End-to-end process map"
