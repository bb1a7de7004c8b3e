from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.calendars.models import SiteCalendar
from tower.readonly_admin import ReadOnlyAdmin


@admin.register(SiteCalendar)
class SiteCalendarAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["site", "time_zone", "start_minute", "end_minute"]
