from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tower.meetings"
    verbose_name = "Meetings"
