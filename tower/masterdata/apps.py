from django.apps import AppConfig


class MasterdataConfig(AppConfig):
    name = "tower.masterdata"
