"""The admin's rule: computed tables and approved or closed records are view only.

Every change to them goes through a service (tower.performance.services and the like) that
checks the role, keeps the history and refreshes what depends on the change: a root cause
edited here would leave net OTIF, the stock-outs it explains and the month's snapshot saying
the old thing. An admin that does allow changes says why in `editable_because`;
tests/test_admin_pages.py walks the admin registry and fails on a model that does neither.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied


class ViewOnly:
    """No add, change or delete (lists, detail pages and the history stay readable)."""

    editable_because = ""

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history's "revert to this version" page saves a POST without asking
        # has_change_permission: refuse it here, so the history cannot rewrite a record either.
        if request.method == "POST":
            raise PermissionDenied("This record changes only through the app, with its history.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(ViewOnly, admin.ModelAdmin):
    pass


class ReadOnlyInline(ViewOnly, admin.TabularInline):
    extra = 0
