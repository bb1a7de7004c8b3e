from django.urls import path

from tower.escalations import views

app_name = "escalations"

urlpatterns = [
    path("escalations/", views.escalation_list, name="list"),
    path("escalations/new/", views.escalation_new, name="new"),
    path("escalations/open.fragment", views.fragment, name="fragment"),
    path("escalations/<int:pk>/", views.escalation_detail, name="detail"),
    path("escalations/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("escalations/<int:pk>/comment/", views.comment, name="comment"),
    path("escalations/<int:pk>/resolve/", views.resolve, name="resolve"),
]
