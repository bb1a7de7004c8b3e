from django.contrib import admin

from tower.masterdata.models import FunctionalArea, Product, RootCauseCode, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country"]
    search_fields = ["code", "name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "client", "product_group"]
    list_filter = ["client", "product_group"]
    list_select_related = ["client"]
    search_fields = ["code", "name"]


@admin.register(FunctionalArea)
class FunctionalAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "cmo_attributable"]


@admin.register(RootCauseCode)
class RootCauseCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "active"]
    list_filter = ["area", "active"]
