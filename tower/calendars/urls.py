from django.urls import path

from tower.calendars import views

app_name = "calendars"

urlpatterns = [
    path("calendars/", views.calendar_list, name="list"),
    path("calendars/<str:code>/", views.calendar_detail, name="site"),
]
