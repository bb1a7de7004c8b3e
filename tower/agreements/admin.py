from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.agreements.models import (
    EarlyWarningSettings,
    KpiTarget,
    OtifDefinitionVersion,
    TeamMember,
)
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


@admin.register(EarlyWarningSettings)
class EarlyWarningSettingsAdmin(ViewOnly, SimpleHistoryAdmin):
    """The projection's lead times, transit, tight days and horizon (kpis.md 8): edited on the
    agreements page (CMO admins, with a reason), which refreshes the projections; audited."""

    list_display = ["client", "production_days", "release_days", "ship_days", "transit_days"]
    list_filter = ["client"]


@admin.register(TeamMember)
class TeamMemberAdmin(ViewOnly, SimpleHistoryAdmin):
    """The service agreement's team: edited on the agreement page (the CMO's people both sides,
    client approvers their own side); every change is kept in the history."""

    list_display = ["client", "function", "side", "name", "email", "phone", "deputy"]
    list_filter = ["client", "side", "function"]
