from django.urls import path

from tower.agreements import views

app_name = "agreements"

urlpatterns = [
    path("definitions/", views.definition_list, name="definitions"),
    path("definitions/<slug:code>/", views.definition_detail, name="definition"),
    # The service agreement's team, shown on the agreement page (/agreements/CODE/#team).
    path("agreements/<slug:code>/team/", views.team_add, name="team_add"),
    path("agreements/<slug:code>/team/<int:member>/", views.team_member, name="team_member"),
    path(
        "agreements/<slug:code>/team/<int:member>/remove/",
        views.team_remove,
        name="team_remove",
    ),
    path("who-to-call/", views.who_to_call, name="who_to_call"),
]
