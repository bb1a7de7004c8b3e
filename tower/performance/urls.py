from django.urls import path

from tower.performance.views import closes, dashboard, lines

app_name = "performance"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("lines/", lines.line_list, name="lines"),
    path("lines/export.<str:fmt>", lines.line_export, name="lines_export"),
    path("lines/propose/", lines.propose_for_lines, name="lines_propose"),
    path("lines/approve/", lines.approve_for_lines, name="lines_approve"),
    path("lines/<int:pk>/", lines.line_detail, name="line"),
    path("lines/<int:pk>/root-cause/", lines.propose, name="line_propose"),
    path("lines/<int:pk>/review/", lines.review, name="line_review"),
    path("lines/<int:pk>/exclusion/", lines.exclusion, name="line_exclusion"),
    path("closes/", closes.close_list, name="closes"),
    path("closes/close/", closes.close, name="close_month"),
    path("closes/<int:pk>/", closes.close_detail, name="close"),
    path("closes/<int:pk>/reopen/", closes.reopen, name="reopen_month"),
]
