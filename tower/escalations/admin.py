from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.escalations.models import Escalation
from tower.readonly_admin import ReadOnlyAdmin


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("pk", "client", "kind", "title", "status", "level", "deadline")
    list_filter = ("client", "status", "kind")
