"""Lessons and improvement projects in the admin: view only. A tollgate is decided by its named
approver only, and the charter, the lessons and where they were spread are audited: every change
goes through tower.improvement.services (tower/readonly_admin.py)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.improvement.models import ImprovementProject, Lesson, LessonApplication, Tollgate
from tower.readonly_admin import ReadOnlyInline, ViewOnly


class TollgateInline(ReadOnlyInline):
    model = Tollgate
    fields = ("phase", "approver", "planned_on", "decision", "decided_on", "comment")


@admin.register(ImprovementProject)
class ImprovementProjectAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ("title", "client", "kpi", "phase", "state", "started_on")
    list_filter = ("state", "phase", "client")
    inlines = [TollgateInline]


class LessonApplicationInline(ReadOnlyInline):
    model = LessonApplication
    fields = ("kind", "site", "target_client", "area", "status", "spread_by", "spread_on", "note")


@admin.register(Lesson)
class LessonAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ("title", "client", "source", "created_at")
    list_filter = ("source", "client")
    inlines = [LessonApplicationInline]
