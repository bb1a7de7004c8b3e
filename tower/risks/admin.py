from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.readonly_admin import ReadOnlyAdmin, ViewOnly
from tower.risks.models import Risk, RiskAction, RiskComment, RiskMatrix


@admin.register(RiskMatrix)
class RiskMatrixAdmin(ReadOnlyAdmin):
    """A matrix version is never edited: risks rated on it keep their level."""

    list_display = ["client", "version", "created_at", "note"]
    list_filter = ["client"]


@admin.register(Risk)
class RiskAdmin(ViewOnly, SimpleHistoryAdmin):
    """Ratings, plans and reviews change on the register (tower.risks.services), which keeps the
    level, colour, next review and the project's health in step."""

    list_display = ["client", "project", "number", "title", "level", "colour", "next_review_on"]
    list_filter = ["client", "level", "colour"]


@admin.register(RiskAction)
class RiskActionAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ["client", "risk", "title", "status"]


@admin.register(RiskComment)
class RiskCommentAdmin(ReadOnlyAdmin):
    list_display = ["client", "risk", "author", "created_at"]
    # The record before the author, as before the fields moved to the abstract Comment.
    fields = ["client", "risk", "author", "text"]
