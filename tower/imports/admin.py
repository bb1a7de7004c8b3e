from django.contrib import admin

from tower.imports.models import ImportLog
from tower.readonly_admin import ReadOnlyAdmin


@admin.register(ImportLog)
class ImportLogAdmin(ReadOnlyAdmin):
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
