from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "tower.communications"
    verbose_name = "Communications"
