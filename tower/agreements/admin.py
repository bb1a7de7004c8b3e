from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.agreements.models import KpiTarget, OtifDefinitionVersion
from tower.readonly_admin import ViewOnly


@admin.register(OtifDefinitionVersion)
class OtifDefinitionVersionAdmin(ViewOnly, SimpleHistoryAdmin):
    """New versions come from the definition page or `tower definition set`, which recompute
    the outcomes; a version in force is never edited."""

    list_display = ["client", "version", "created_at", "created_by", "note"]
    list_filter = ["client"]


@admin.register(KpiTarget)
class KpiTargetAdmin(ViewOnly, SimpleHistoryAdmin):
    """Agreement targets (kpis.md 7): edited on the agreements page (CMO admins, with a reason);
    every change is kept in the history."""

    list_display = ["client", "kpi", "target", "direction", "tolerance"]
    list_filter = ["client", "kpi"]
