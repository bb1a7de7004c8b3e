from django.urls import path

from tower.actions import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.register, name="register"),
    path("actions/export.<str:fmt>", views.export, name="export"),
    path("actions/due/", views.due, name="due"),
    path("actions/<int:pk>/", views.detail, name="action"),
    path("actions/<int:pk>/status/", views.set_status, name="status"),
    path("actions/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
]
