"""The process map is edited here by CMO admins: every save and delete goes through
tower.processes.services (the rules, the acting user and the reason on the history record)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.processes import services
from tower.processes.models import (
    ActivityPackage,
    Department,
    Interface,
    InterfaceTrace,
    Responsibility,
)

REASON = "changed in the admin"


class AuditedAdmin(SimpleHistoryAdmin):
    editable_because = (
        "the process map is the CMO's reference data: CMO admins keep it current here, each "
        "change through the services with its history"
    )

    def save_model(self, request, obj, form, change):
        services.save_record(user=request.user, record=obj, reason=REASON)

    def delete_model(self, request, obj):
        services.delete_record(user=request.user, record=obj, reason=REASON)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_record(user=request.user, record=obj, reason=REASON)
        for obj in instances:
            services.save_record(user=request.user, record=obj, reason=REASON)
        formset.save_m2m()


class ResponsibilityInline(admin.TabularInline):
    editable_because = AuditedAdmin.editable_because  # saved through the package's services
    model = Responsibility
    extra = 1


@admin.register(ActivityPackage)
class ActivityPackageAdmin(AuditedAdmin):
    list_display = ("site", "task", "name", "position")
    list_filter = ("site", "task")
    inlines = [ResponsibilityInline]


@admin.register(Interface)
class InterfaceAdmin(AuditedAdmin):
    list_display = ("site", "from_department", "to_department", "name")
    list_filter = ("site",)


@admin.register(InterfaceTrace)
class InterfaceTraceAdmin(AuditedAdmin):
    list_display = ("site", "area", "interface")
    list_filter = ("site",)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ("code", "name", "position")
