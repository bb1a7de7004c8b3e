from django.contrib import admin

from tower.imports.models import ImportLog


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "kind",
        "client",
        "file_name",
        "actor",
        "outcome",
        "rows",
        "errors",
        "records_created",
        "records_updated",
    ]
    list_filter = ["kind", "outcome", "client"]
    readonly_fields = [f.name for f in ImportLog._meta.fields]

    def has_add_permission(self, request):
        return False
