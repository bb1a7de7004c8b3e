from django.urls import path

from tower.harmonisation import views

app_name = "harmonisation"

urlpatterns = [
    path("harmonisation/", views.backlog, name="backlog"),
    path("harmonisation/export.<str:fmt>", views.export, name="export"),
    path("harmonisation/new/", views.item_new, name="item_new"),
    path("harmonisation/<int:pk>/", views.item_detail, name="item"),
    path("harmonisation/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("harmonisation/<int:pk>/rate/", views.rate, name="rate"),
    path("harmonisation/<int:pk>/revise/", views.revise, name="revise"),
    path("harmonisation/<int:pk>/actions/", views.action_add, name="action_add"),
    path(
        "harmonisation/actions/<int:action>/complete/",
        views.action_complete,
        name="action_complete",
    ),
    path("harmonisation/actions/<int:action>/verify/", views.action_verify, name="action_verify"),
]
