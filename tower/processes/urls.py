from django.urls import path

from tower.processes import views

app_name = "processes"

urlpatterns = [
    path("process/", views.process_map, name="map"),
    path("process/<str:code>/edit/", views.edit_map, name="edit"),
]
