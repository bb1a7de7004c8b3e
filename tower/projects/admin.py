from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.projects.models import (
    ChangeRequest,
    Checklist,
    ChecklistItem,
    ChecklistTemplate,
    Phase,
    Project,
    ProjectComment,
)
from tower.readonly_admin import ReadOnlyAdmin, ViewOnly


@admin.register(Project)
class ProjectAdmin(ViewOnly, SimpleHistoryAdmin):
    """Projects change on their pages (tower.projects.services): the health reads the phases and
    the count of open red risks the risk register keeps."""

    list_display = ["client", "code", "name", "kind", "status", "start_date"]
    list_filter = ["client", "kind", "status"]


@admin.register(Phase)
class PhaseAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ["client", "project", "position", "name", "planned_date", "actual_date"]
    list_filter = ["client"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ViewOnly, SimpleHistoryAdmin):
    """Approved or rejected by the client on the project page only."""

    list_display = ["client", "project", "number", "title", "status"]
    list_filter = ["client", "status"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ["client", "checklist", "position", "text", "done_by", "done_at"]


@admin.register(Checklist)
class ChecklistAdmin(ReadOnlyAdmin):
    list_display = ["client", "phase", "name"]


@admin.register(ProjectComment)
class ProjectCommentAdmin(ReadOnlyAdmin):
    list_display = ["client", "project", "author", "created_at"]
    # The record before the author, as before the fields moved to the abstract Comment.
    fields = ["client", "project", "author", "text"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(SimpleHistoryAdmin):
    editable_because = (
        "the CMO's template library: a project's checklist is a copy made when it was added, so "
        "editing a template changes no project"
    )
    list_display = ["name", "project_type", "phase"]
