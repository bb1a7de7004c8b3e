"""The project pages: list with health and filters, the project page, the steps from the
pages; another client's project is a 404 everywhere; bounded queries."""

import datetime as dt

import pytest
from django.test import Client as WebClient

from tower.projects import services
from tower.projects.models import ChangeRequest

from .conftest import START


@pytest.fixture
def web():
    return WebClient()


def page(web, user, url, **kwargs):
    web.force_login(user)
    response = web.get(url, **kwargs)
    return response, response.content.decode()


def test_the_list_shows_health_and_filters(web, project, globex_project, people):
    # Forecast the transfer 45 days late: red (more than 30 days).
    phase = project.phases.get(position=2)
    services.update_milestone(
        phase=phase,
        forecast_date=phase.planned_date + dt.timedelta(days=45),
        actual_date=None,
        user=people["staff"],
    )
    response, body = page(web, people["viewer"], "/projects/")
    assert response.status_code == 200
    assert "TT-1" in body and "globex" not in body.lower()
    [row] = response.context["page_obj"].object_list
    assert row.health == "red" and row.worst_slip >= 45
    assert (
        page(web, people["viewer"], "/projects/?health=green")[0]
        .context["page_obj"]
        .paginator.count
        == 0
    )
    assert (
        page(web, people["admin"], "/projects/?health=red&client=ACME")[0]
        .context["page_obj"]
        .paginator.count
        == 1
    )
    response, body = page(web, people["viewer"], "/projects/?kind=nope")
    assert response.status_code == 400 and "Some filters could not be read" in body
    assert page(web, people["viewer"], "/projects/?client=GLOBEX")[0].status_code == 404


def test_empty_list(web, people):
    response, body = page(web, people["viewer"], "/projects/")
    assert "No project yet" in body


def test_the_project_page(web, project, people):
    response, body = page(web, people["approver"], f"/projects/{project.pk}/")
    assert response.status_code == 200
    assert "Engineering batch" in body and "risks/project" in body  # the fragment's URL
    assert 'hx-trigger="load"' in body


def test_another_clients_project_is_not_found(web, project, globex_project, people):
    web.force_login(people["approver"])
    theirs = globex_project
    for url in (
        f"/projects/{theirs.pk}/",
        f"/risks/project/{theirs.pk}/",
        f"/risks/project/{theirs.pk}/summary/",
        f"/risks/project/{theirs.pk}/export.xlsx",
        f"/risks/project/{theirs.pk}/export.pdf",
        f"/risks/project/{theirs.pk}/new/",
    ):
        assert web.get(url).status_code == 404, url
    change = services.propose_change_request(project=theirs, title="globex", user=people["admin"])
    response = web.post(f"/projects/{theirs.pk}/changes/{change.pk}/", {"decision": "approve"})
    assert response.status_code == 404
    # Their change request through our project's URL: not found either.
    response = web.post(f"/projects/{project.pk}/changes/{change.pk}/", {"decision": "approve"})
    assert response.status_code == 404
    change.refresh_from_db()
    assert change.status == "proposed"


def test_only_the_client_approves_from_the_page(web, project, people):
    change = services.propose_change_request(
        project=project, title="Add a strength", impact_days=7, user=people["staff"]
    )
    url = f"/projects/{project.pk}/changes/{change.pk}/"
    web.force_login(people["staff"])
    refused = web.post(url, {"decision": "approve"})
    assert refused.status_code == 403
    assert "Only the client approves" in refused.content.decode()
    web.force_login(people["approver"])
    response = web.post(url, {"decision": "approve", "comment": "Fine"}, follow=True)
    assert "CR-1 approved" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED
    assert change.history.first().history_user == people["approver"]


def test_the_cmo_works_from_the_page(web, project, people):
    web.force_login(people["staff"])
    phase = project.phases.get(position=1)
    web.post(f"/projects/{project.pk}/phases/{phase.pk}/", {"forecast_date": "2026-04-20"})
    phase.refresh_from_db()
    assert phase.forecast_date == dt.date(2026, 4, 20)
    response = web.post(
        f"/projects/{project.pk}/phases/{phase.pk}/", {"forecast_date": "0001-01-01"}, follow=True
    )
    assert "1900 to 2999" in response.content.decode()
    web.post(
        f"/projects/{project.pk}/templates/",
        {"name": "Tech transfer kick-off", "items": "Charter signed\nTeam named"},
    )
    template = services.ChecklistTemplate.objects.get(name="Tech transfer kick-off")
    web.post(f"/projects/{project.pk}/checklists/", {"phase": phase.pk, "template": template.pk})
    item = phase.checklists.get().items.get(position=1)
    web.post(f"/projects/{project.pk}/items/{item.pk}/", {"done": "1"})
    item.refresh_from_db()
    assert item.done_by == people["staff"]
    body = web.get(f"/projects/{project.pk}/").content.decode()
    assert "ticked by acme_staff" in body and "1 of 2 done" in body
    web.post(
        f"/projects/{project.pk}/changes/",
        {"title": "Extra batch", "impact_days": "9", "impact_cost": "1000"},
    )
    assert project.change_requests.get().impact_days == 9
    response = web.post(
        f"/projects/{project.pk}/changes/",
        {"title": "Huge", "impact_days": "99999", "impact_cost": "1"},
        follow=True,
    )
    assert "less than or equal to 3650" in response.content.decode()
    assert project.change_requests.count() == 1
    assert web.get("/projects/templates/").status_code == 200


def test_client_users_comment_but_cannot_edit(web, project, people):
    web.force_login(people["viewer"])
    web.post(f"/projects/{project.pk}/comments/", {"text": "Looks good"})
    assert project.comments.get().author == people["viewer"]
    phase = project.phases.first()
    response = web.post(
        f"/projects/{project.pk}/phases/{phase.pk}/", {"forecast_date": "2026-04-20"}
    )
    assert response.status_code == 403


def test_new_project_form(web, acme, people):
    web.force_login(people["staff"])
    assert web.get("/projects/new/").status_code == 200
    response = web.post(
        "/projects/new/?client=ACME",
        {"code": "NP-9", "name": "New one", "kind": "new_product", "start_date": "2026-02-02"},
    )
    assert response.status_code == 302
    assert web.get("/projects/new/?client=GLOBEX").status_code == 404


def test_bounded_queries(web, acme, project, people, django_assert_max_num_queries):
    web.force_login(people["staff"])
    # One of everything first, so each prefetch already runs in the baseline.
    first = services.create_checklist_template(name="t", items=["a"], user=people["staff"])
    services.add_checklist(phase=project.phases.first(), template=first, user=people["staff"])
    services.propose_change_request(project=project, title="c", user=people["staff"])
    services.add_project_comment(project=project, text="c", user=people["staff"])
    urls = ["/projects/", f"/projects/{project.pk}/", "/projects/templates/"]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(25) as queries:
            web.get(url)
        counts[url] = len(queries)
    for n in range(6):  # more projects, change requests, checklists, comments
        other = services.create_project(
            client=acme,
            code=f"P{n}",
            name="x",
            kind="tech_transfer",
            start_date=START,
            user=people["staff"],
        )
        services.propose_change_request(project=project, title=f"c{n}", user=people["staff"])
        services.add_project_comment(project=project, text=f"c{n}", user=people["staff"])
        template = services.create_checklist_template(
            name=f"t{n}", items=["a", "b"], user=people["staff"]
        )
        services.add_checklist(
            phase=project.phases.first(), template=template, user=people["staff"]
        )
        assert other.pk
    for url in urls:
        with django_assert_max_num_queries(counts[url]) as queries:
            web.get(url)
