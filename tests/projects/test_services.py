"""Projects: phases from the template, milestones, checklists, change requests (only the
client approves), all audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied  # noqa: F401

from tower.projects import services
from tower.projects.models import ChangeRequest, ChecklistItem, Phase
from tower.workflow import NotAllowed, WorkflowError

from .conftest import START


def test_a_project_gets_the_phases_of_its_type(project):
    phases = list(project.phases.order_by("position"))
    assert [p.name for p in phases] == [
        "Feasibility",
        "Transfer",
        "Engineering batch",
        "Validation",
        "Commercial",
    ]
    assert [p.planned_date for p in phases] == [
        START + dt.timedelta(days=90 * n) for n in range(1, 6)
    ]


def test_client_users_may_not_create_projects(acme, people):
    with pytest.raises(NotAllowed):
        services.create_project(
            client=acme,
            code="X",
            name="X",
            kind="other",
            start_date=START,
            user=people["approver"],
        )


def test_milestone_dates_in_the_wrong_order_are_refused(acme, people):
    with pytest.raises(WorkflowError, match="follow the start date"):
        services.create_project(
            client=acme,
            code="X",
            name="X",
            kind="other",
            start_date=START,
            phase_dates=[START, START - dt.timedelta(days=1), START],
            user=people["staff"],
        )


def test_a_reached_milestone_cannot_be_in_the_future(project, people):
    phase = project.phases.first()
    with pytest.raises(WorkflowError, match="future"):
        services.update_milestone(
            phase=phase,
            forecast_date=None,
            actual_date=dt.date.today() + dt.timedelta(days=2),
            user=people["staff"],
        )


def propose(project, people, days=14):
    return services.propose_change_request(
        project=project,
        title="Add a second strength",
        impact_days=days,
        impact_scope="10 mg strength added",
        impact_cost="25000.50",
        impact_quality="One more validation batch",
        user=people["staff"],
    )


def test_only_the_clients_approver_decides_its_change_requests(project, people):
    change = propose(project, people)
    for who in ("staff", "admin"):
        with pytest.raises(NotAllowed, match="Only the client approves"):
            services.decide_change_request(change=change, approve=True, user=people[who])
    with pytest.raises(NotAllowed, match="client's approver"):
        services.decide_change_request(change=change, approve=True, user=people["viewer"])
    with pytest.raises(NotAllowed):  # another client's approver: not even a role here
        services.decide_change_request(change=change, approve=True, user=people["globex_approver"])
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PROPOSED


def test_approving_moves_the_open_milestones_and_is_audited(project, people):
    first = project.phases.get(position=1)
    services.update_milestone(
        phase=first, forecast_date=None, actual_date=START, user=people["staff"]
    )
    before = {p.position: p.planned_date for p in Phase.objects.filter(project=project)}
    change = propose(project, people, days=14)
    services.decide_change_request(
        change=change, approve=True, comment="Agreed in the steering", user=people["approver"]
    )
    after = {p.position: p.planned_date for p in Phase.objects.filter(project=project)}
    assert after[1] == before[1]  # reached: history
    assert all(after[n] == before[n] + dt.timedelta(days=14) for n in range(2, 6))
    change.refresh_from_db()
    assert change.status == "approved" and change.decided_by == people["approver"]
    history = list(change.history.order_by("history_date"))
    assert [h.status for h in history] == ["proposed", "approved"]
    assert history[-1].history_user == people["approver"]
    assert history[-1].history_change_reason == "approved"
    with pytest.raises(WorkflowError, match="already approved"):
        services.decide_change_request(
            change=change, approve=False, comment="no", user=people["approver"]
        )


def test_a_rejection_needs_a_reason(project, people):
    change = propose(project, people)
    with pytest.raises(WorkflowError, match="why"):
        services.decide_change_request(change=change, approve=False, user=people["approver"])
    services.decide_change_request(
        change=change, approve=False, comment="Not this year", user=people["approver"]
    )
    change.refresh_from_db()
    assert change.status == "rejected"


@pytest.mark.parametrize("days", [True, 3651, "ten"])
def test_bad_impacts_are_clear_errors(project, people, days):
    with pytest.raises(WorkflowError):
        propose(project, people, days=days)


def test_bad_cost_is_a_clear_error(project, people):
    with pytest.raises(WorkflowError, match="number"):
        services.propose_change_request(
            project=project, title="x", impact_cost="lots", user=people["staff"]
        )
    with pytest.raises(WorkflowError, match="finite"):
        services.propose_change_request(
            project=project, title="x", impact_cost="1e20", user=people["staff"]
        )


def test_checklists_are_copies_ticked_with_who_and_when(project, people):
    template = services.create_checklist_template(
        name="Transfer readiness",
        items=["Batch record approved", "", "Materials sourced"],
        user=people["staff"],
    )
    checklist = services.add_checklist(
        phase=project.phases.get(position=2), template=template, user=people["staff"]
    )
    items = list(checklist.items.order_by("position"))
    assert [i.text for i in items] == ["Batch record approved", "Materials sourced"]
    services.tick_item(item=items[0], done=True, user=people["staff"])
    item = ChecklistItem.objects.get(pk=items[0].pk)
    assert item.done_by == people["staff"] and item.done_at is not None
    assert item.history.first().history_user == people["staff"]
    template.items = ["changed"]
    template.save()
    assert checklist.items.count() == 2  # the copy stays
    with pytest.raises(NotAllowed):
        services.tick_item(item=item, done=False, user=people["viewer"])
    with pytest.raises(NotAllowed):
        services.create_checklist_template(name="y", items=["a"], user=people["viewer"])


def test_both_sides_comment(project, people):
    services.add_project_comment(project=project, text="From the client", user=people["viewer"])
    services.add_project_comment(project=project, text="From the CMO", user=people["staff"])
    assert project.comments.count() == 2
    with pytest.raises(NotAllowed):
        services.add_project_comment(project=project, text="x", user=people["globex_staff"])
