"""Risk registers in the database: level by lookup, the colour of kpis.md 10 as the plan
progresses, review cadence, the project's red count, audit."""

import datetime as dt

import pytest

from tower.engine.projects import AMBER, GREEN, project_health
from tower.projects.models import Project
from tower.risks import services
from tower.risks.models import Risk, RiskMatrix
from tower.workflow import NotAllowed, WorkflowError

DAY = dt.date(2026, 3, 2)


def record(project, people, p=4, i=4, **extra):
    return services.record_risk(
        project=project,
        title="API supplier qualification late",
        owner="Procurement",
        probability=p,
        impact=i,
        response="Qualify a second supplier",
        contingency="Buy safety stock",
        user=people["staff"],
        today=DAY,
        **extra,
    )


def test_the_default_matrix_is_seeded_on_first_use(acme, project, people):
    assert not RiskMatrix.objects.filter(client=acme).exists()
    risk = record(project, people)
    matrix = RiskMatrix.objects.get(client=acme)
    assert matrix.version == 1 and len(matrix.grid) == 5
    assert risk.matrix == matrix and risk.level == "high"  # (4, 4) on the default grid


def test_a_high_risk_is_red_until_its_plan_is_done_and_it_is_rerated(project, people):
    risk = record(project, people)
    assert risk.colour == "red" and Project.objects.get(pk=project.pk).open_red_risks == 1
    a1 = services.add_action(risk=risk, title="Audit supplier B", owner="QA", user=people["staff"])
    a2 = services.add_action(risk=risk, title="Order samples", owner="Buyer", user=people["staff"])
    services.close_action(action=a1, user=people["staff"])
    services.close_action(action=a2, user=people["staff"])
    risk.refresh_from_db()
    assert risk.colour == "red"  # every action closed, not re-rated: not grey
    services.rerate_risk(risk=risk, probability=2, impact=3, user=people["staff"], today=DAY)
    risk.refresh_from_db()
    assert risk.colour == "grey" and risk.residual_level == "medium"
    assert Project.objects.get(pk=project.pk).open_red_risks == 0
    # A new action reopens the plan: red again until closed and re-rated again.
    a3 = services.add_action(risk=risk, title="Second audit", owner="QA", user=people["staff"])
    risk.refresh_from_db()
    assert risk.colour == "red"
    services.close_action(action=a3, user=people["staff"])
    risk.refresh_from_db()
    assert risk.colour == "red"  # re-rated before this closure
    services.rerate_risk(risk=risk, probability=2, impact=2, user=people["staff"], today=DAY)
    risk.refresh_from_db()
    assert risk.colour == "grey"


def test_medium_is_yellow_and_low_has_no_colour(project, people):
    assert record(project, people, p=3, i=3).colour == "yellow"
    assert record(project, people, p=1, i=1).colour == ""


def test_review_cadence_follows_the_current_level(project, people):
    high = record(project, people, p=4, i=4)
    medium = record(project, people, p=3, i=3)
    low = record(project, people, p=1, i=2)
    assert high.next_review_on == dt.date(2026, 4, 1)  # + 30
    assert medium.next_review_on == dt.date(2026, 5, 31)  # + 90
    assert low.next_review_on == dt.date(2026, 8, 29)  # + 180
    # Re-rated low: the low cadence from the day of the re-rating.
    services.rerate_risk(
        risk=high, probability=1, impact=1, user=people["staff"], today=dt.date(2026, 3, 10)
    )
    high.refresh_from_db()
    assert high.next_review_on == dt.date(2026, 9, 6)
    services.review_risk(risk=medium, user=people["staff"], today=dt.date(2026, 4, 1))
    medium.refresh_from_db()
    assert medium.next_review_on == dt.date(2026, 6, 30)


def test_a_non_default_matrix_version_rates_new_risks(acme, project, people):
    record(project, people)  # version 1, the default
    services.set_matrix(
        client=acme,
        grid=[["low", "medium", "high"], ["medium", "high", "very_high"]],
        review_days={"low": 100, "medium": 50, "high": 20, "very_high": 10},
        note="3 impacts",
        user=people["admin"],
    )
    risk = record(project, people, p=2, i=2)
    assert risk.matrix.version == 2 and risk.level == "high"
    assert risk.next_review_on == DAY + dt.timedelta(days=20)
    with pytest.raises(WorkflowError, match="Probability must be from 1 to 2; got 3"):
        record(project, people, p=3, i=1)
    with pytest.raises(NotAllowed):
        services.set_matrix(client=acme, grid=[["low"]], user=people["staff"])


@pytest.mark.parametrize(
    ("p", "i", "message"),
    [(0, 3, "from 1 to 5; got 0"), (6, 3, "from 1 to 5; got 6"), ("high", 2, "whole number")],
)
def test_invalid_ratings_are_clear_errors(project, people, p, i, message):
    with pytest.raises(WorkflowError, match=message):
        record(project, people, p=p, i=i)
    assert not Risk.objects.exists()


def test_every_rating_change_is_audited(project, people):
    risk = record(project, people, p=3, i=3)
    services.rate_risk(
        risk=risk, probability=5, impact=5, reason="Audit finding", user=people["staff"]
    )
    history = list(risk.history.order_by("history_date"))
    assert [(h.probability, h.impact, h.level) for h in history] == [
        (3, 3, "medium"),
        (5, 5, "very_high"),
    ]
    assert history[-1].history_user == people["staff"]
    assert history[-1].history_change_reason == "Audit finding"


def test_client_users_comment_but_do_not_rate(project, people):
    risk = record(project, people)
    services.add_risk_comment(risk=risk, text="Please share the audit", user=people["viewer"])
    with pytest.raises(NotAllowed):
        services.rate_risk(risk=risk, probability=1, impact=1, user=people["approver"])
    with pytest.raises(NotAllowed):
        services.add_risk_comment(risk=risk, text="x", user=people["globex_staff"])


def test_project_health_reads_the_red_count(project, people):
    today = dt.date(2026, 3, 1)  # before the first milestone
    assert project_health(project.phases.all(), project.open_red_risks, today) == GREEN
    record(project, people)
    project.refresh_from_db()
    assert project_health(project.phases.all(), project.open_red_risks, today) == AMBER
