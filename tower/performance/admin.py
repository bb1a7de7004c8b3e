from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.performance.models import (
    LineOutcome,
    MonthClose,
    MonthlyFailure,
    MonthlyOtif,
    OutcomeRefresh,
    RootCause,
)


@admin.register(RootCause)
class RootCauseAdmin(SimpleHistoryAdmin):
    list_display = ["line", "client", "code", "status", "proposed_by", "reviewed_by"]
    list_filter = ["client", "status", "code__area"]
    list_select_related = ["line__order", "client", "code"]
    raw_id_fields = ["line", "client"]


@admin.register(LineOutcome)
class LineOutcomeAdmin(admin.ModelAdmin):
    list_display = [
        "line",
        "client",
        "state",
        "due_date",
        "on_time",
        "in_full",
        "otif",
        "failure_kind",
        "days_late",
    ]
    list_filter = ["client", "state", "otif", "failure_kind", "delay_class"]
    list_select_related = ["line__order", "client"]
    raw_id_fields = ["line", "client"]
    show_full_result_count = False


@admin.register(MonthlyOtif)
class MonthlyOtifAdmin(admin.ModelAdmin):
    list_display = [
        "period",
        "client",
        "site",
        "product",
        "lines",
        "on_time",
        "in_full",
        "otif",
        "net_otif",
        "pending",
    ]
    list_filter = ["client", "site"]
    list_select_related = ["client", "site", "product"]
    date_hierarchy = "period"


@admin.register(OutcomeRefresh)
class OutcomeRefreshAdmin(admin.ModelAdmin):
    list_display = [
        "refreshed_at",
        "client",
        "as_of",
        "definition_version",
        "trigger",
        "lines",
        "outcomes_written",
    ]
    list_filter = ["client", "trigger"]


@admin.register(MonthlyFailure)
class MonthlyFailureAdmin(admin.ModelAdmin):
    list_display = ["period", "client", "site", "product", "area", "code", "status", "lines"]
    list_filter = ["client", "area", "status"]
    list_select_related = ["client", "site", "product", "area", "code"]


@admin.register(MonthClose)
class MonthCloseAdmin(SimpleHistoryAdmin):
    """Read-only: closes and reopens go through the Month close page or `tower month`."""

    list_display = [
        "period",
        "client",
        "closed_at",
        "closed_by",
        "definition_version",
        "reopened_at",
    ]
    list_filter = ["client"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
