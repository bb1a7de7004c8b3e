from django.urls import path

from tower.projects import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_new, name="new"),
    path("projects/templates/", views.template_list, name="templates"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/status/", views.project_status, name="status"),
    path("projects/<int:pk>/phases/<int:phase>/", views.milestone, name="milestone"),
    path("projects/<int:pk>/checklists/", views.checklist_add, name="checklist_add"),
    path("projects/<int:pk>/templates/", views.template_add, name="template_add"),
    path("projects/<int:pk>/items/<int:item>/", views.item_tick, name="tick"),
    path("projects/<int:pk>/changes/", views.change_add, name="change_add"),
    path("projects/<int:pk>/changes/<int:change>/", views.change_decide, name="decide"),
    path("projects/<int:pk>/comments/", views.comment, name="comment"),
]
