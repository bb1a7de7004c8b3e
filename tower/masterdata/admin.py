from django.contrib import admin

from tower.masterdata.models import FunctionalArea, Product, RootCauseCode, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    editable_because = "reference data: sites are named and added here; no figure is stored on them"
    list_display = ["code", "name", "country"]
    search_fields = ["code", "name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    editable_because = (
        "reference data: names and groups can be corrected; a product's client is fixed once "
        "it exists, since its lines and figures belong to that client"
    )
    list_display = ["code", "name", "client", "product_group"]
    list_filter = ["client", "product_group"]
    list_select_related = ["client"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["client"] if obj is not None else []


@admin.register(FunctionalArea)
class FunctionalAreaAdmin(admin.ModelAdmin):
    editable_because = (
        "reference data: an area's name can be corrected and new areas added; whether an "
        "existing area counts against the CMO is fixed here, since it moves net OTIF"
    )
    list_display = ["code", "name", "cmo_attributable"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "cmo_attributable"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RootCauseCode)
class RootCauseCodeAdmin(admin.ModelAdmin):
    editable_because = (
        "reference data: codes are added, renamed and retired (active); an existing code's "
        "area is fixed here, since moving it would move net OTIF behind the client's approval"
    )
    list_display = ["code", "name", "area", "active"]
    list_filter = ["area", "active"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "area"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False
