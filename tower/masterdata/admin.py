from django.contrib import admin

from tower.masterdata.models import Product, Site


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
