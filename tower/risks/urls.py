from django.urls import path

from tower.risks import views

app_name = "risks"

urlpatterns = [
    path("risks/", views.risk_list, name="list"),
    path("risks/project/<int:project>/", views.register, name="register"),
    path("risks/project/<int:project>/summary/", views.summary, name="summary"),
    path("risks/project/<int:project>/export.<str:fmt>", views.export, name="export"),
    path("risks/project/<int:project>/new/", views.risk_new, name="new"),
    path("risks/<int:pk>/", views.risk_detail, name="risk"),
    path("risks/<int:pk>/rate/", views.rate, name="rate"),
    path("risks/<int:pk>/rerate/", views.rerate, name="rerate"),
    path("risks/<int:pk>/plan/", views.plan, name="plan"),
    path("risks/<int:pk>/actions/", views.action_add, name="action_add"),
    path("risks/<int:pk>/actions/<int:action>/close/", views.action_close, name="action_close"),
    path("risks/<int:pk>/review/", views.review, name="review"),
    path("risks/<int:pk>/comments/", views.comment, name="comment"),
]
