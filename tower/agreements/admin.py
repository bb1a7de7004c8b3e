from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.agreements.models import KpiTarget, OtifDefinitionVersion


@admin.register(OtifDefinitionVersion)
class OtifDefinitionVersionAdmin(admin.ModelAdmin):
    list_display = ["client", "version", "created_at", "created_by", "note"]
    list_filter = ["client"]
    readonly_fields = ["client", "version", "parameters", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False  # new versions come from `tower definition set` so outcomes are recomputed


@admin.register(KpiTarget)
class KpiTargetAdmin(SimpleHistoryAdmin):
    """Agreement targets (kpis.md 7); every change is kept in the history."""

    list_display = ["client", "kpi", "target", "direction", "tolerance"]
    list_filter = ["client", "kpi"]
