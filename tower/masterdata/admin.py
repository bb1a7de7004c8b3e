from django.contrib import admin

from tower.masterdata.models import Product, Site


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
