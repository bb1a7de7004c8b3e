"""The tollgate rules: only the approver named in the charter decides; phases close in order;
rework keeps the phase open, stop ends the project; every step is audited."""

from __future__ import annotations

import datetime as dt

import pytest

from tower.improvement import services
from tower.improvement.models import ImprovementProject, Tollgate
from tower.workflow import NotAllowed, WorkflowError

from .conftest import charter, go_through


def gate(project, phase) -> Tollgate:
    return Tollgate.objects.get(project=project, phase=phase)


def test_a_charter_names_the_approver_of_each_of_the_five_tollgates(project, people):
    gates = {g.phase: g for g in project.tollgates.all()}
    assert list(gates) == ["define", "measure", "analyse", "improve", "control"]
    assert gates["define"].approver == people["staff"]
    assert gates["measure"].approver == people["approver"]
    assert {g.decision for g in gates.values()} == {"pending"}
    assert project.phase == "define" and project.state == "open"


@pytest.mark.parametrize("who", ["admin", "viewer", "approver", "other_staff"])
def test_only_the_named_approver_decides_a_tollgate(project, people, who):
    # Define is the planner's: not even a CMO admin or the client approver may decide it.
    with pytest.raises(NotAllowed, match="Only planner, named as the approver of the Define"):
        services.decide_tollgate(tollgate=gate(project, "define"), decision="go", user=people[who])
    assert gate(project, "define").decision == "pending"
    project.refresh_from_db()
    assert project.phase == "define"


def test_phases_close_in_order(project, people):
    # Analyse's approver (the client approver) cannot decide it while Define is open.
    with pytest.raises(WorkflowError, match="Analyse tollgate cannot be decided yet"):
        services.decide_tollgate(
            tollgate=gate(project, "analyse"), decision="go", user=people["approver"]
        )
    go_through(project, people, ["define"])
    assert project.phase == "measure"
    services.decide_tollgate(
        tollgate=gate(project, "measure"), decision="go", user=people["approver"]
    )
    project.refresh_from_db()
    assert project.phase == "analyse"
    # A closed phase cannot be decided again.
    with pytest.raises(WorkflowError, match="Define tollgate cannot be decided yet"):
        services.decide_tollgate(
            tollgate=gate(project, "define"), decision="stop", comment="x", user=people["staff"]
        )
    assert gate(project, "define").decision == "go"


def test_rework_keeps_the_phase_open_and_stop_ends_the_project(project, people):
    define = gate(project, "define")
    with pytest.raises(WorkflowError, match="Write the comment"):
        services.decide_tollgate(tollgate=define, decision="rework", user=people["staff"])
    services.decide_tollgate(
        tollgate=define, decision="rework", comment="Scope too wide", user=people["staff"]
    )
    project.refresh_from_db()
    assert (project.phase, project.state) == ("define", "open")
    services.decide_tollgate(tollgate=define, decision="go", user=people["staff"])
    services.decide_tollgate(
        tollgate=gate(project, "measure"),
        decision="stop",
        comment="No data",
        user=people["approver"],
    )
    project.refresh_from_db()
    assert (project.phase, project.state) == ("measure", "stopped")
    with pytest.raises(WorkflowError, match="The project is stopped"):
        services.decide_tollgate(
            tollgate=gate(project, "measure"), decision="go", user=people["approver"]
        )


def test_go_at_control_completes_the_project(project, people):
    go_through(project, people)
    assert project.state == ImprovementProject.State.COMPLETED
    assert project.phase == "control"


def test_every_decision_is_audited_with_who_and_what(project, people):
    define = gate(project, "define")
    services.decide_tollgate(
        tollgate=define, decision="rework", comment="Scope too wide", user=people["staff"]
    )
    services.decide_tollgate(
        tollgate=define, decision="go", on=dt.date(2026, 3, 2), user=people["staff"]
    )
    history = list(define.history.order_by("history_date", "history_id"))
    assert [(h.decision, h.history_user) for h in history] == [
        ("pending", people["staff"]),  # the charter named the approver
        ("rework", people["staff"]),
        ("go", people["staff"]),
    ]
    assert history[1].comment == "Scope too wide" and history[2].decided_on == dt.date(2026, 3, 2)
    assert history[2].history_change_reason == "go"
    project_history = list(project.history.order_by("history_date", "history_id"))
    assert [(h.phase, h.history_change_reason) for h in project_history] == [
        ("define", "chartered"),
        ("measure", "Define tollgate: go"),
    ]


def test_a_decision_cannot_be_dated_in_the_future_or_out_of_range(project, people):
    define = gate(project, "define")
    with pytest.raises(WorkflowError, match="in the future"):
        services.decide_tollgate(
            tollgate=define, decision="go", on=dt.date(2999, 1, 1), user=people["staff"]
        )
    with pytest.raises(WorkflowError, match="years 1900 to 2999"):
        services.decide_tollgate(
            tollgate=define, decision="go", on=dt.date(1800, 1, 1), user=people["staff"]
        )


def test_an_approver_must_work_for_the_client(acme_data, people):
    approvers = dict.fromkeys(
        ["define", "measure", "analyse", "improve", "control"], people["approver"]
    )
    approvers["improve"] = people["other_approver"]  # GLOBEX's
    with pytest.raises(WorkflowError, match="approver of the Improve tollgate must be a user"):
        charter(acme_data, people, approvers=approvers)
    assert not ImprovementProject.objects.exists()


def test_client_users_may_not_charter_projects(acme_data, people):
    with pytest.raises(NotAllowed):
        charter(acme_data, people, user=people["approver"])
