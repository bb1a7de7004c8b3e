from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    """The working calendar of each CMO site: the business hours escalation clocks count."""

    name = "tower.calendars"
    verbose_name = "Site calendars"
