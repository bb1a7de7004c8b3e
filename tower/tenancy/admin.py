from django.contrib import admin

from tower.tenancy.models import Client, Membership


class MembershipInline(admin.TabularInline):
    editable_because = "who may see a client, and in which role, is managed here"
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    editable_because = "clients and their users' access are managed here"
    list_display = ["code", "name", "created_at"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]
