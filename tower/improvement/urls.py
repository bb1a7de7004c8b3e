from django.urls import path

from tower.improvement.views import lessons, projects

app_name = "improvement"

urlpatterns = [
    path("improvement/", projects.project_list, name="projects"),
    path("improvement/new/", projects.project_new, name="project_new"),
    path("improvement/<int:pk>/", projects.project_detail, name="project"),
    path("improvement/<int:pk>/tollgate/", projects.tollgate_decide, name="tollgate"),
    path("improvement/<int:pk>/trend.csv", projects.trend_csv, name="trend_csv"),
    path("lessons/", lessons.lesson_list, name="lessons"),
    path("lessons/new/", lessons.lesson_new, name="lesson_new"),
    path("lessons/<int:pk>/", lessons.lesson_detail, name="lesson"),
    path("lessons/project/<int:project>/", lessons.project_lessons, name="project_lessons"),
    path("lessons/<int:pk>/places/", lessons.application_add, name="application_add"),
    path("lessons/<int:pk>/spread/", lessons.spread, name="spread"),
]
