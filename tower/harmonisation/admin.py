from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.harmonisation.models import FmeaAction, FmeaItem, ProcessArea, RatingLog
from tower.readonly_admin import ReadOnlyAdmin, ViewOnly


@admin.register(ProcessArea)
class ProcessAreaAdmin(admin.ModelAdmin):
    editable_because = (
        "reference data: the process areas and their mapping to functional areas (the evidence)"
    )
    list_display = ("code", "name", "position")
    filter_horizontal = ("functional_areas",)


@admin.register(FmeaItem)
class FmeaItemAdmin(ViewOnly, SimpleHistoryAdmin):
    """Ratings change only through tower.harmonisation.services (logged with a reason)."""

    list_display = ("id", "process_area", "client", "ap", "severity", "occurrence", "detection")
    list_filter = ("process_area", "ap")


@admin.register(FmeaAction)
class FmeaActionAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ("id", "item", "owner", "due_date", "completed_on", "verified_on")


@admin.register(RatingLog)
class RatingLogAdmin(ReadOnlyAdmin):
    list_display = ("item", "kind", "ap", "rated_by", "rated_at")
