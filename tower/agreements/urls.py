from django.urls import path

from tower.agreements import views

app_name = "agreements"

urlpatterns = [
    path("definitions/", views.definition_list, name="definitions"),
    path("definitions/<slug:code>/", views.definition_detail, name="definition"),
]
