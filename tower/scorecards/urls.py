from django.urls import path

from tower.scorecards.views import agreements, escalation_matrix, scorecard, stock_outs, survey

app_name = "scorecards"

# Client and period are query parameters (?client=ACME&period=2026Q3), as on the dashboard.
urlpatterns = [
    path("scorecard/", scorecard.scorecard, name="scorecard"),
    path("scorecard/export.<str:fmt>", scorecard.export, name="export"),
    path("scorecard/kpi/<slug:kpi>/", scorecard.kpi_detail, name="kpi"),
    path("scorecard/comment/", scorecard.comment, name="comment"),
    path("scorecard/actions/", scorecard.action_add, name="action_add"),
    path("scorecard/actions/<int:pk>/", scorecard.action_update, name="action"),
    path("survey/", survey.survey, name="survey"),
    path("stock-outs/", stock_outs.stock_out_list, name="stock_outs"),
    path("stock-outs/report/", stock_outs.report, name="stock_out_report"),
    path("stock-outs/<int:pk>/", stock_outs.stock_out_detail, name="stock_out"),
    path("stock-outs/<int:pk>/end/", stock_outs.end, name="stock_out_end"),
    path("agreements/", agreements.agreement_list, name="agreements"),
    path("agreements/<slug:code>/", agreements.agreement_detail, name="agreement"),
    path("agreements/<slug:code>/penalties/", agreements.penalty_add, name="penalty_add"),
    path(
        "agreements/<slug:code>/early-warning/",
        agreements.early_warning,
        name="early_warning",
    ),
    path(
        "agreements/<slug:code>/escalation-levels/",
        escalation_matrix.escalation_levels_save,
        name="escalation_levels",
    ),
    path(
        "agreements/<slug:code>/escalation-triggers/",
        escalation_matrix.escalation_triggers_save,
        name="escalation_triggers",
    ),
    path(
        "agreements/<slug:code>/quality-agreement/",
        agreements.quality_agreement,
        name="quality_agreement",
    ),
    path(
        "agreements/<slug:code>/penalties/<int:pk>/delete/",
        agreements.penalty_delete,
        name="penalty_delete",
    ),
]
