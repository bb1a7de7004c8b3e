"""The working calendar of a CMO site (kpis.md 9): working weekdays, the daily window, the IANA
time zone and the holidays. Escalation clocks count business hours by it
(tower.engine.business_hours). Audited; changed only through tower.calendars.services.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from tower.engine.business_hours import DAY_MINUTES, Calendar
from tower.masterdata.models import Site


class SiteCalendar(models.Model):
    """When a site works. A site without a row works DEFAULT_CALENDAR hours (services)."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="calendar")
    # Bit d (0 = Monday ... 6 = Sunday) set when the site works that weekday.
    weekday_mask = models.PositiveSmallIntegerField(help_text="Working weekdays")
    start_minute = models.PositiveSmallIntegerField(help_text="Opening, minutes after midnight")
    end_minute = models.PositiveSmallIntegerField(help_text="Closing, minutes after midnight")
    time_zone = models.CharField(max_length=64, help_text="IANA time zone, e.g. Europe/Berlin")
    holidays = models.JSONField(default=list, blank=True, help_text="Dates, YYYY-MM-DD")

    history = HistoricalRecords()

    class Meta:
        ordering = ["site__code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday_mask__gte=1, weekday_mask__lte=127),
                name="calendar_some_weekday",
            ),
            models.CheckConstraint(
                condition=models.Q(start_minute__lt=models.F("end_minute"))
                & models.Q(end_minute__lte=DAY_MINUTES),
                name="calendar_opens_before_it_closes",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar {self.site_id}"

    def as_calendar(self) -> Calendar:
        import datetime as dt

        return Calendar(
            weekdays=frozenset(d for d in range(7) if self.weekday_mask & (1 << d)),
            start_minute=self.start_minute,
            end_minute=self.end_minute,
            time_zone=self.time_zone,
            holidays=frozenset(dt.date.fromisoformat(d) for d in self.holidays),
        )
