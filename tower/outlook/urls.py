from django.urls import path

from tower.outlook import views

app_name = "outlook"
urlpatterns = [
    path("outlook/", views.outlook, name="outlook"),
    path("outlook/lines/<int:pk>/chain/", views.line_chain, name="line_chain"),
]
