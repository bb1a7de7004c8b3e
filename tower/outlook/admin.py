from django.contrib import admin

from tower.outlook.models import LineProjection
from tower.readonly_admin import ReadOnlyAdmin


@admin.register(LineProjection)
class LineProjectionAdmin(ReadOnlyAdmin):
    list_display = ("line", "client", "as_of", "risk", "projected_date", "cause_area")
    list_filter = ("risk", "cause_area")
