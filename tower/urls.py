from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("tower.tenancy.urls")),
    path("admin/", admin.site.urls),
    path("", include("tower.scorecards.urls")),
    path("", include("tower.performance.urls")),
    path("", include("tower.agreements.urls")),
    path("", include("tower.webhooks.urls")),
    path("", include("tower.jobs.urls")),
    path("", include("tower.improvement.urls")),
    path("", include("tower.communications.urls")),
    path("", include("tower.stock.urls")),
    path("", include("tower.projects.urls")),
    path("", include("tower.risks.urls")),
    path("", include("tower.outlook.urls")),
    path("", include("tower.harmonisation.urls")),
    path("", include("tower.processes.urls")),
    path("", include("tower.actions.urls")),
    path("", include("tower.meetings.urls")),
    path("", include("tower.calendars.urls")),
    path("", include("tower.escalations.urls")),
    path("", include("tower.board.urls")),
]
