"""tower demo --no-serve builds a realistic data set through the import pipeline, then reuses it."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from tower.actions.models import Action
from tower.agreements.models import Agreement, EarlyWarningSettings, KpiTarget, PenaltyTerm
from tower.communications.models import LogEntry
from tower.imports.models import ImportLog
from tower.improvement.models import ImprovementProject, Lesson, LessonApplication, Tollgate
from tower.masterdata.models import Site
from tower.meetings.models import Decision, Meeting, MeetingSeries
from tower.meetings.queries import is_overdue
from tower.orders.models import (
    Delivery,
    OrderLine,
)
from tower.performance.models import (
    LineOutcome,
    RootCause,
)
from tower.quality.models import Batch, Capa, Deviation, PlanWeek
from tower.scorecards.models import (
    KpiComment,
    SurveyResponse,
)
from tower.stock.models import ClientStock
from tower.stockouts.models import StockOutEvent
from tower.tenancy.models import Client, Membership

RECORD_KINDS = {"lines", "batches", "deviations", "capas", "plan", "stockouts", "stock"}


@pytest.mark.django_db
def test_demo_builds_data_accounts_and_figures_then_reuses_them(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--no-serve", "--lines", "3000", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert Client.objects.count() == 8 and Site.objects.count() == 3
    lines = OrderLine.objects.count()
    assert 2_850 <= lines <= 3_150
    assert LineOutcome.objects.count() == lines
    assert RootCause.objects.filter(status="approved").exists()
    logs = ImportLog.objects.all()
    assert {log.kind for log in logs} == RECORD_KINDS
    assert {log.outcome for log in logs} == {"applied"}
    assert "Gross OTIF by client" in text and "cmo-admin" in text
    assert get_user_model().objects.get(username="cmo-admin").is_superuser
    assert (
        Client.objects.get(code=Client.objects.order_by("id")[1].code).otif_definitions.count() == 1
    )

    _check_production_quality_and_review_records()
    _check_improvement()
    _check_meetings()
    _check_the_forward_half()

    again = StringIO()
    call_command("demo", "--no-serve", stdout=again, stderr=StringIO())
    assert "Reusing the existing data" in again.getvalue()
    assert OrderLine.objects.count() == lines


def _check_meetings():
    """Every client: a quality agreement reference, three recurring meetings held up to today
    with minutes, decisions and actions in the register and the log; one overdue meeting."""
    today = timezone.localdate()
    assert Agreement.objects.exclude(quality_agreement_number="").count() == 8
    assert MeetingSeries.objects.count() == 24
    overdue = [s for s in MeetingSeries.objects.all() if is_overdue(s, today)]
    assert [(s.client, s.kind) for s in overdue] == [
        (Client.objects.order_by("id")[0], "weekly_ops")
    ]
    assert Meeting.objects.count() >= 8 * (6 + 4 + 3) - 1
    assert Decision.objects.count() == Meeting.objects.count()
    assert Action.objects.filter(source="meeting").count() == Meeting.objects.count()
    assert LogEntry.objects.filter(kind="meeting_held").count() == Meeting.objects.count()
    assert Action.objects.filter(source="meeting").overdue(today).exists()


def _check_improvement():
    """Two DMAIC projects (one in Control after four go decisions, one still measuring) and
    lessons from every kind of source, one CMO-wide, spread to some places and not others."""
    projects = {p.phase: p for p in ImprovementProject.objects.all()}
    assert set(projects) == {"control", "measure"}
    control = projects["control"]
    assert list(control.tollgates.order_by("id").values_list("decision", flat=True)) == [
        "go",
        "go",
        "go",
        "go",
        "pending",
    ]
    assert Tollgate.history.filter(project_id=control.pk, decision="rework").exists()
    assert control.target > control.baseline
    assert {lesson.source for lesson in Lesson.objects.all()} == {
        "deviation",
        "capa",
        "project",
        "escalation",
    }
    assert Lesson.objects.filter(client__isnull=True).count() == 1
    states = set(LessonApplication.objects.values_list("status", flat=True))
    assert states == {"spread", "to_spread", "not_applicable"}


def _check_production_quality_and_review_records():
    def per_client(model, **only) -> dict[int, int]:
        rows = model.objects.filter(**only).values("client_id").annotate(n=Count("id")).order_by()
        return {row["client_id"]: row["n"] for row in rows}

    batches, plan = per_client(Batch), per_client(PlanWeek)
    surveys, stock_outs = per_client(SurveyResponse), per_client(StockOutEvent)
    comments, actions = per_client(KpiComment), per_client(Action, source="review")
    for client in Client.objects.values_list("id", flat=True):
        assert batches.get(client, 0) > 0 and plan.get(client, 0) > 0, client
        assert surveys.get(client, 0) >= 4 and stock_outs.get(client, 0) >= 2, client
        assert comments.get(client, 0) >= 2 and 2 <= actions.get(client, 0) <= 4, client
    assert Deviation.objects.exists() and Capa.objects.exists()
    assert Agreement.objects.count() == 8 and PenaltyTerm.objects.exists()
    assert KpiComment.objects.exists() and Action.objects.filter(status="done").exists()

    # The lines carry their planned ship date, and every delivery's batch is a stored batch.
    # Only the few "no plan" lines of the forward half (tower/demo/early_warning.py) lack it.
    unplanned = OrderLine.objects.filter(planned_ship_date__isnull=True)
    assert all(line.planned_batch == "" and line.status == "open" for line in unplanned)
    assert unplanned.count() <= 2 * Client.objects.count()
    batches = set(Batch.objects.values_list("client_id", "number"))
    assert set(Delivery.objects.values_list("client_id", "batch")) <= batches

    # Stock-outs: some caused by the CMO (linked to lines), some not; a couple reported.
    caused = StockOutEvent.objects.filter(cmo_caused=True)
    assert caused.exists() and StockOutEvent.objects.filter(cmo_caused=False).exists()
    assert not caused.annotate(n=Count("links")).filter(n=0).exists()
    assert StockOutEvent.objects.filter(source="reported").count() == 2

    # Written through the services: the records have their history, by the right people.
    assert KpiTarget.history.filter(history_user__username="cmo-admin").exists()
    assert SurveyResponse.history.count() == SurveyResponse.objects.count()
    memberships = set(Membership.objects.values_list("user_id", "client_id"))
    assert set(SurveyResponse.objects.values_list("user_id", "client_id")) <= memberships


def _check_the_forward_half():
    """tower.demo.early_warning: open lines planned on batches with slips, shipments in transit,
    the client's stock and one client's early-warning settings, all through the imports."""
    planned = OrderLine.objects.exclude(planned_batch="")
    assert planned.filter(status="open").count() == planned.count() > 0
    batches = {
        (b.client_id, b.number): b.product_id
        for b in Batch.objects.filter(number__startswith="FW-")
    }
    for client_id, number, product_id in planned.values_list(
        "client_id", "planned_batch", "product_id"
    ):
        assert batches[client_id, number] == product_id
    forward = Batch.objects.filter(number__startswith="FW-")
    assert forward.filter(disposition="rejected").count() == 1
    assert forward.filter(disposition="released").exists()
    assert forward.filter(material_ready_date__gt=F("planned_start")).exists()  # materials late
    assert forward.filter(actual_end__gt=F("planned_end")).exists()  # overrun (or a late start)
    transit = Delivery.objects.filter(shipped_date__isnull=False, delivered_date__isnull=True)
    assert transit.exists()
    assert set(transit.values_list("line__planned_batch", flat=True)) <= {n for _, n in batches}
    stock = ClientStock.objects.all()
    assert stock.values("client_id").distinct().count() == 3 and stock.count() >= 6
    assert not stock.filter(daily_demand__lte=0).exists()
    settings = EarlyWarningSettings.objects.get()
    assert (settings.transit_days, settings.horizon_days) == (7, 21)
    assert settings.history.get().history_user.username == "cmo-admin"
