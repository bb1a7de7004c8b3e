from django.urls import path

from tower.meetings import views

app_name = "meetings"

urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/overdue/", views.overdue, name="overdue"),
    path("meetings/series/add/", views.series_add, name="series_add"),
    path("meetings/series/<int:series>/", views.series_detail, name="series"),
    path("meetings/series/<int:series>/edit/", views.series_edit, name="series_edit"),
    path("meetings/series/<int:series>/record/", views.record, name="record"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/actions/", views.meeting_action_add, name="meeting_action_add"),
]
