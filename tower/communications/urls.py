from django.urls import path

from tower.communications import views

app_name = "communications"

urlpatterns = [
    path("communications/", views.log, name="log"),
    path("communications/export.<str:fmt>", views.log_export, name="log_export"),
    path("communications/inbox/", views.inbox, name="inbox"),
    path("communications/inbox/count/", views.inbox_count, name="inbox_count"),
    path("communications/notices/new/", views.compose, name="compose"),
    path("communications/notices/<int:pk>/", views.notice_detail, name="notice"),
    path("communications/notices/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("communications/notices/<int:pk>/reply/", views.reply, name="reply"),
    path("communications/notices/<int:pk>/mail/", views.resend, name="resend"),
    path("communications/lines/<int:line>/", views.line_notices, name="line_notices"),
]
